// The part of `react-native` that `@clerk/expo`'s instance factory reads:
// it runs on a phone.
'use strict';
module.exports = {
  Platform: { OS: 'ios', constants: { reactNativeVersion: { major: 0, minor: 81, patch: 0 } }, select: (o) => o.ios ?? o.default },
};
