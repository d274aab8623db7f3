import { cleanNumber, internationalDigits, stepDigits } from './dialed-number';

const INTL = ['+', '00', '011'];

describe('dialed numbers', () => {
  it.each([
    ['+8816802801', '8816802801'],
    ['008816802801', '8816802801'],
    ['0118816802801', '8816802801'],
    ['+979-1234-5678', '97912345678'],
    ['+1 (201) 555-0123', '12015550123'],
    ['2395550123', undefined], // national form: never a country code
    ['0301234567', undefined],
    ['00', undefined],
    ['+49abc', undefined],
    ['sip-user', undefined],
  ])('international digits of %s', (dialed, digits) => {
    expect(internationalDigits(dialed, INTL)).toBe(digits);
  });

  it('lets the longest international prefix win', () => {
    expect(internationalDigits('0118816802801', ['0', '011'])).toBe('8816802801');
  });

  it('cleans separators but keeps the plus sign', () => {
    expect(cleanNumber(' +49 (30) 123-45.67 ')).toBe('+49301234567');
    expect(cleanNumber('1;drop table')).toBeUndefined();
  });

  it('steps a number keeping its leading zeros and its length', () => {
    expect(stepDigits('008816802801', 1)).toBe('008816802802');
    expect(stepDigits('008816802800', -1)).toBe('008816802799');
    expect(stepDigits('999', 1)).toBeUndefined();
    expect(stepDigits('000', -1)).toBeUndefined();
  });
});
