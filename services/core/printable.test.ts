import { printable } from './printable';

describe('printable', () => {
  it('escapes newlines, carriage returns and terminal escape sequences', () => {
    expect(printable('105\r\u001b[2K\u001b[1A\nDECISION unblock')).toBe('105\\r\\e[2K\\e[1A\\nDECISION unblock');
  });

  it('escapes C1 controls (an 8-bit CSI), DEL, NUL, tabs, line separators and bidi overrides', () => {
    expect(printable('a\u009b2Jb\u007f\u0000\tc')).toBe('a\\x9b2Jb\\x7f\\x00\\tc');
    expect(printable('x\u2028y\u202ez\u2066\ufeff')).toBe('x\\u2028y\\u202ez\\u2066\\ufeff');
  });

  it('leaves ordinary text, including non-Latin letters and emoji, as it is', () => {
    const text = 'sip:+4930123@example.net Zoiper 5.4 ünïcødé 电话 📞 \\n';
    expect(printable(text)).toBe(text);
  });

  it('prints non-strings as their text', () => {
    expect(printable(42)).toBe('42');
    expect(printable(undefined)).toBe('undefined');
  });
});
