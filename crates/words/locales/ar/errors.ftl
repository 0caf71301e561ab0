# أخطاء الإجابة، مصوغة من رمزها ومعاملاتها.

error-missing-email = أدخل عنوان بريدك الإلكتروني.
error-missing-password = أدخل كلمة المرور.
error-missing-code = أدخل الرمز.
error-missing-strategy = اختر طريقة التحقق.
error-missing-phone = أدخل رقم هاتف.
error-missing-passkey = استخدم مفتاح المرور للمتابعة.
error-missing-name = أدخل اسمًا.
error-email-invalid = أدخل عنوان بريد إلكتروني صالحًا.
error-email-taken = عنوان البريد الإلكتروني هذا مستخدم بالفعل. سجّل الدخول بدلًا من ذلك.
error-password-too-short = { $n ->
    [few] يجب أن تتكون كلمة المرور من { $n } أحرف على الأقل.
   *[other] يجب أن تتكون كلمة المرور من { $n } حرفًا على الأقل.
}
error-password-too-long = يجب ألا تتجاوز كلمة المرور { $n } حرفًا.
error-password-pwned = كلمة المرور هذه موجودة في قائمة كلمات مرور شائعة أو مسرّبة. حفاظًا على أمانك، اختر كلمة أخرى.
error-password-weak = يجب ألا تحتوي كلمة المرور على عنوان بريدك الإلكتروني.
error-password-same = يجب أن تختلف كلمة المرور الجديدة عن الحالية.
error-password-incorrect = عنوان البريد الإلكتروني أو كلمة المرور غير صحيحة.
error-code-incorrect = الرمز غير صحيح.
error-tries-left = { $left ->
    [0] محاولات فاشلة كثيرة: حسابك مقفل الآن لبعض الوقت.
    [one] بقيت محاولة واحدة قبل قفل حسابك.
    [two] بقيت محاولتان قبل قفل حسابك.
    [few] بقيت { $left } محاولات قبل قفل حسابك.
   *[other] بقيت { $left } محاولة قبل قفل حسابك.
}
error-code-expired = انتهت صلاحية هذا الرمز. اطلب رمزًا جديدًا.
error-code-locked = محاولات فاشلة كثيرة. اطلب رمزًا جديدًا.
error-code-missing = لم يُرسل أي رمز بعد. اطلب رمزًا أولًا.
error-resend-too-soon = { $seconds ->
    [one] يُرجى الانتظار ثانية واحدة قبل طلب رمز جديد.
    [two] يُرجى الانتظار ثانيتين قبل طلب رمز جديد.
    [few] يُرجى الانتظار { $seconds } ثوانٍ قبل طلب رمز جديد.
   *[other] يُرجى الانتظار { $seconds } ثانية قبل طلب رمز جديد.
}
error-user-locked = { $minutes ->
    [one] حسابك مقفل بعد محاولات فاشلة كثيرة. حاول مجددًا بعد دقيقة واحدة.
    [two] حسابك مقفل بعد محاولات فاشلة كثيرة. حاول مجددًا بعد دقيقتين.
    [few] حسابك مقفل بعد محاولات فاشلة كثيرة. حاول مجددًا بعد { $minutes } دقائق.
   *[other] حسابك مقفل بعد محاولات فاشلة كثيرة. حاول مجددًا بعد { $minutes } دقيقة.
}
error-user-banned = لا يمكن لهذا الحساب تسجيل الدخول. تواصل مع دعم التطبيق.
error-too-many-requests = { $seconds ->
    [one] طلبات كثيرة جدًا. حاول مجددًا بعد ثانية واحدة.
    [two] طلبات كثيرة جدًا. حاول مجددًا بعد ثانيتين.
    [few] طلبات كثيرة جدًا. حاول مجددًا بعد { $seconds } ثوانٍ.
   *[other] طلبات كثيرة جدًا. حاول مجددًا بعد { $seconds } ثانية.
}
error-strategy-invalid = طريقة التحقق هذه غير متاحة لهذا الحساب.
error-backup-codes-not-available = لا تُستخدم الرموز الاحتياطية إلا مع عامل ثانٍ آخر.
error-invalid-state = هذه الخطوة غير متاحة الآن. ابدأ تسجيل الدخول من جديد.
error-sign-in-not-found = انتهت صلاحية تسجيل الدخول. ابدأ من جديد.
error-sign-up-not-found = انتهت صلاحية التسجيل. ابدأ من جديد.
error-reverification-required = أكّد هويتك: أدخل كلمة المرور أو رمزًا من تطبيق المصادقة.
error-mfa-required = لا يمكنك إزالة آخر عامل ثانٍ لديك: هذا التطبيق يتطلب واحدًا.
error-phone-invalid = أدخل الرقم بالتنسيق الدولي، مثل +201001234567.
error-session-not-found = انتهت هذه الجلسة بالفعل.
error-passkey-invalid = تعذّر التحقق من مفتاح المرور هذا. حاول مجددًا أو استخدم طريقة أخرى.
error-passkey-not-found = تمت إزالة مفتاح المرور هذا بالفعل.
error-session-exists = أنت مسجّل الدخول بالفعل.
error-signed-out = لقد سجّلت الخروج.
error-api-key-invalid = أرسل مفتاحًا سريًا نشطًا: Authorization: Bearer sk_live_….
error-user-not-found = لا يوجد مستخدم بهذا المعرّف.
error-metadata-invalid = يجب أن تكون البيانات الوصفية كائن JSON لا يتجاوز 8 كيلوبايت و16 مستوى.
error-webhook-invalid = نقطة نهاية الويب هوك عنوان https لمضيف عام، مع أنواع أحداث معروفة.
error-address-refused = عنوان واحد لكل مستخدم: أضفه مُتحققًا منه وأساسيًا، فيحل محل عنوان المستخدم.
error-delivery-failed = تعذّر إرسال الرمز. حاول مجددًا.
error-bad-request = تعذّرت قراءة الطلب.
error-unavailable = حدث خطأ من جانبنا. حاول مجددًا.
# Made in the browser: no answer came from the server.
error-network = تعذّر الوصول إلى الخادم. تحقّق من اتصالك.
