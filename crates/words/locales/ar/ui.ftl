# الصفحات. تصوغها الجزر في المتصفح أيضًا من نسخة الصفحة (تُملأ القيم،
# ويختار المتصفح صيغة الجمع).

## مشترك بين النماذج.
loading = جارٍ التحميل…
code = الرمز
show-password = إظهار كلمة المرور
verify = تحقّق
verifying = جارٍ التحقق…
continue = متابعة
send-code = إرسال الرمز
resend-code = إعادة إرسال الرمز
resend-code-in = { $label } ({ $n })
code-resent = أُرسل رمز جديد.
try-again-now = يمكنك المحاولة مجددًا الآن.
try-again-in = { $n ->
    [zero] طلبات كثيرة جدًا. حاول مجددًا الآن.
    [one] طلبات كثيرة جدًا. حاول مجددًا بعد ثانية واحدة.
    [two] طلبات كثيرة جدًا. حاول مجددًا بعد ثانيتين.
    [few] طلبات كثيرة جدًا. حاول مجددًا بعد { $n } ثوانٍ.
    [many] طلبات كثيرة جدًا. حاول مجددًا بعد { $n } ثانية.
   *[other] طلبات كثيرة جدًا. حاول مجددًا بعد { $n } ثانية.
}
email-address = البريد الإلكتروني
password = كلمة المرور
new-password = كلمة المرور الجديدة
password-advice = 8 أحرف على الأقل. العبارات الطويلة هي الأفضل.
sign-out-others = تسجيل الخروج من كل الأجهزة الأخرى
sign-out = تسجيل الخروج
saving = جارٍ الحفظ…

## الطرق.
method-totp = تطبيق المصادقة
method-phone = رسالة نصية
method-backup-code = رمز احتياطي
method-email-code = رمز بالبريد الإلكتروني
method-password = كلمة المرور
method-reset-code = رمز إعادة التعيين
method-unlock-code = رمز فك القفل
method-passkey = مفتاح مرور

## تسجيل الدخول.
sign-in = تسجيل الدخول
sign-in-to = تسجيل الدخول إلى { $app }
sign-in-welcome = مرحبًا بعودتك! سجّل الدخول للمتابعة.
unlocked = فُكّ قفل حسابك في هذا المتصفح. سجّل الدخول للمتابعة.
enter-email = أدخل البريد الإلكتروني
enter-password = أدخل كلمة المرور
signing-in = جارٍ تسجيل الدخول…
sign-in-passkey = تسجيل الدخول بمفتاح مرور
unlock-link = فكّ قفل هذا المتصفح برمز عبر البريد الإلكتروني
forgot-password = نسيت كلمة المرور؟
email-me-code = أرسل لي رمز دخول بالبريد الإلكتروني
no-account = ليس لديك حساب؟
sign-up = إنشاء حساب
next-step-loading = جارٍ تحميل الخطوة التالية…
use-another-account = استخدام حساب آخر
verified = تم التحقق منك

## البدء من عنوان البريد الإلكتروني وحده.
reset-title = إعادة تعيين كلمة المرور
reset-hint = سنرسل إليك رمزًا بالبريد الإلكتروني لتعيين كلمة مرور جديدة.
unlock-title = فكّ قفل حسابك
unlock-hint = قُفل حسابك بعد محاولات فاشلة كثيرة. سنرسل إليك رمزًا بالبريد الإلكتروني يتيح لهذا المتصفح المحاولة مجددًا.
email-code-title = تسجيل الدخول برمز عبر البريد الإلكتروني
email-code-hint = سنرسل إليك رمزًا بالبريد الإلكتروني لتسجّل الدخول به بدلًا من كلمة المرور.
back-to-sign-in = العودة إلى تسجيل الدخول

## خطوات الرمز.
check-email = تفقّد بريدك الإلكتروني
your-email = بريدك الإلكتروني
code-sent-to = أدخل الرمز الذي أرسلناه إلى { $to }.
code-will-go-to = سنرسل رمزًا إلى { $to }.
new-browser = هذا المتصفح جديد على حسابك. أدخل الرمز الذي أرسلناه إلى { $to }.
verify-device = التحقق من هذا الجهاز
choose-password = اختر كلمة مرور جديدة
set-password = تعيين كلمة المرور

## العامل الثاني.
verify-account = تحقّق من حسابك
use-passkey = استخدام مفتاح مرور
verify-with = التحقق عبر
totp-hint = أدخل الرمز المكوّن من 6 أرقام من تطبيق المصادقة.
your-phone = هاتفك
sms-sent = أدخل الرمز الذي أرسلناه إلى { $to }.
sms-send = أرسل رمزًا إلى { $to } برسالة نصية، ثم أدخله هنا.
backup-hint = أدخل أحد رموزك الاحتياطية.
send-sms = إرسال الرمز برسالة نصية

## إنشاء حساب.
sign-up-title = أنشئ حسابك
sign-up-welcome = مرحبًا! املأ البيانات للبدء.
creating-account = جارٍ إنشاء حسابك…
have-account = لديك حساب؟
sign-up-code-hint = أدخل الرمز المكوّن من 6 أرقام الذي أرسلناه إلى { $to }.
use-another-email = استخدام بريد إلكتروني آخر
email-verified = تم التحقق من بريدك الإلكتروني

## الرئيسية.
home = الرئيسية
welcome = مرحبًا
signed-in-as = سجّلت الدخول باسم
home-no-codes = ليست لديك رموز احتياطية: إن فقدت عاملك الثاني فهي سبيلك للعودة.
make-backup-codes = إنشاء رموز احتياطية
no-second-factor = لم يُعدّ أي عامل ثانٍ.
second-factors = العوامل الثانية: { $factors }.
security-settings = إعدادات الأمان
active-sessions = الجلسات النشطة
not-found = الصفحة غير موجودة
go-to-sign-in = الانتقال إلى تسجيل الدخول
list-separator = {"، "}

## الطرق داخل جملة.
inline-totp = تطبيق المصادقة
inline-phone = الرسالة النصية
inline-backup-code = الرمز الاحتياطي
inline-email-code = الرمز بالبريد الإلكتروني
inline-password = كلمة المرور
inline-reset-code = رمز إعادة التعيين
inline-unlock-code = رمز فك القفل
inline-passkey = مفتاح المرور

## ما فعله التغيير.
now-default = أصبح { $method } طريقتك الافتراضية.
method-removed = أُزيل { $method }.
method-added = أُضيف { $method }.
notice-reverified = شكرًا: يمكنك إجراء التغيير الآن.
notice-session-revoked = أُلغيت الجلسة.
notice-others-revoked = سُجّل خروجك من كل الجلسات الأخرى.
notice-device-revoked = أُلغي الجهاز الموثوق: سيثبت هويته بالبريد الإلكتروني في المرة القادمة.
notice-default-set = تغيّرت طريقتك الافتراضية.
notice-removed = أُزيل.
notice-passkey-removed = أُزيل مفتاح المرور.
notice-passkey-renamed = أُعيدت تسمية مفتاح المرور.
notice-totp-started = امسح رمز QR بتطبيقك، ثم أدخل الرمز الذي يعرضه.
notice-added = أُضيف.
notice-codes-made = أُنشئت رموز احتياطية جديدة: لم تعد القديمة صالحة.

## صفحة الأمان.
back-home = العودة إلى الرئيسية
second-factors-title = العوامل الثانية
default-badge = افتراضي
make-default = اجعله افتراضيًا
make-default-named = اجعله افتراضيًا: { $method }
remove = إزالة
remove-named = إزالة { $method }
remove-your = إزالة { $method }؟
remove-hint = لن تتمكن بعدها من تسجيل الدخول به.
remove-passkey-question = إزالة مفتاح المرور «{ $name }»؟
no-factor-yet = لا يوجد عامل ثانٍ بعد.
backup-codes = الرموز الاحتياطية
backup-unused = غير المستخدمة: { $n }.
new-codes = إنشاء رموز جديدة
change-password = تغيير كلمة المرور
your-account = حسابك
download-data = تنزيل بياناتي
download-data-hint = (ملفك الشخصي وعواملك وجلساتك وسجل الحساب، بصيغة JSON)
delete-account = حذف حسابي
new-codes-question = إنشاء رموز احتياطية جديدة؟
codes-will-stop = { $n ->
    [zero] لن تتوقف أي رموز غير مستخدمة.
    [one] سيتوقف رمزك غير المستخدم عن العمل.
    [two] سيتوقف رمزاك غير المستخدمين عن العمل.
    [few] ستتوقف رموزك الـ{ $n } غير المستخدمة عن العمل.
    [many] ستتوقف رموزك الـ{ $n } غير المستخدمة عن العمل.
   *[other] ستتوقف رموزك الـ{ $n } غير المستخدمة عن العمل.
}
make-new-codes = إنشاء رموز جديدة
keep-codes = الإبقاء على رموزي
delete-question = حذف حسابك؟
delete-hint = سيُحذف كل ما فيه معه. لا يمكن التراجع عن ذلك.
delete-it = احذفه
keep-account = الإبقاء على حسابي
delete-confirm = حذف حسابك وكل ما فيه؟ لا يمكن التراجع عن ذلك.
keep-it = الإبقاء عليه

## أكّد أنه أنت.
confirm-title = أكّد أنه أنت
reverify-window = { $n ->
    [zero] يحتاج هذا التغيير إلى كلمة مرورك (أو رمز من تطبيق المصادقة) الآن.
    [one] يحتاج هذا التغيير إلى كلمة مرورك (أو رمز من تطبيق المصادقة) خلال الدقيقة الأخيرة.
    [two] يحتاج هذا التغيير إلى كلمة مرورك (أو رمز من تطبيق المصادقة) خلال الدقيقتين الأخيرتين.
    [few] يحتاج هذا التغيير إلى كلمة مرورك (أو رمز من تطبيق المصادقة) خلال آخر { $n } دقائق.
   *[other] يحتاج هذا التغيير إلى كلمة مرورك (أو رمز من تطبيق المصادقة) خلال آخر { $n } دقيقة.
}
authenticator-code = رمز تطبيق المصادقة
confirm = تأكيد
use-password = استخدام كلمة المرور
use-app = استخدام تطبيق المصادقة

## إضافة العوامل.
password-changed = تغيّرت كلمة مرورك.
add-app = إضافة تطبيق مصادقة
scan-qr = امسح رمز QR هذا بتطبيقك، أو أدخل المفتاح السري يدويًا.
copied = نُسخ
copy-secret = نسخ المفتاح السري
open-in-app = فتح في التطبيق
app-code = الرمز من التطبيق
enable = تفعيل
passkeys = مفاتيح المرور
synced-badge = متزامن
passkey-used = آخر استخدام { $when }
passkey-unused = أُضيف { $when }، ولم يُستخدم بعد
remove-passkey-named = إزالة مفتاح المرور { $name }
rename-passkey-named = إعادة تسمية مفتاح المرور { $name }
rename = إعادة التسمية
new-name = الاسم الجديد
save = حفظ
cancel = إلغاء
no-passkey = لا يوجد مفتاح مرور بعد.
passkey-needs-js = تحتاج إضافة مفتاح مرور إلى JavaScript. يعمل تطبيق المصادقة أو الهاتف من دونه.
passkey-name = اسم مفتاح المرور (اختياري)
add-passkey = إضافة مفتاح مرور
add-phone = إضافة رقم هاتف
phone-number = رقم الهاتف
phone-international = رقم الهاتف (بالصيغة الدولية)
verify-phone = التحقق من الهاتف
backup-codes-hint = يعمل كل رمز مرة واحدة إن فقدت عواملك الأخرى. احفظها في مكان آمن: لن تُعرض إلا الآن.
copy = نسخ
download = تنزيل

## مهام الجلسة.
setup-mfa-title = إعداد التحقق بخطوتين
all-set = كل شيء جاهز
needs-factor = يحتاج حسابك إلى عامل ثانٍ قبل المتابعة.
recommended = موصى به
other-ways = طرق أخرى
advice-phone = الرسائل النصية هي الأسهل إعدادًا والأقل أمانًا: يمكن الاستيلاء على رقم الهاتف.
advice-passkey = مفتاح المرور: بصمتك أو وجهك أو قفل الشاشة يسجّل دخولك. لا شيء لتكتبه، ولا يمكن تصيّده.
advice-app = يعرض تطبيق المصادقة (Google Authenticator و1Password وAuthy…) رمزًا جديدًا كل 30 ثانية، حتى دون اتصال.
compromised = كلمة مرورك معروف أنها مخترقة: قد تكون ضمن قائمة كلمات مرور مسرّبة. اختر كلمة جديدة للمتابعة.

## الجلسات والأجهزة الموثوقة.
unknown-ip = عنوان IP غير معروف
session-detail = { $ip } · تسجيل الدخول { $created } · آخر نشاط { $active }
device-detail = { $ip } · موثوق منذ { $trusted } · آخر استخدام { $used }
revoke = إلغاء
revoke-named = إلغاء { $device }
sign-out-named = تسجيل خروج { $device }
sign-out-elsewhere = تسجيل الخروج من كل مكان آخر
trusted-devices = الأجهزة الموثوقة
trusted-hint = تتخطى المتصفحات التي سجّلت الدخول عليها الرمز المرسل بالبريد الإلكتروني. ألغِ أحدها وسيتعين عليه إثبات هويته مجددًا.
this-device = هذا الجهاز
device-on = { $browser } على { $os }
android-app = تطبيق Android
ios-app = تطبيق iOS
native-app = تطبيق أصلي
unknown-device = جهاز غير معروف

## اللحظات.
just-now = الآن
day-at = { $day } الساعة { $time }

## قائمة اللغات.
language = اللغة
change-language = تغيير
