// Small statistics shared by the bench report scripts.
'use strict';

/** The median of xs (the mean of the middle two for an even count). */
function median(xs) {
  const s = [...xs].sort((x, y) => x - y), n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

module.exports = { median };
