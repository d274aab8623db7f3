import { OperatorRequestError, parseTarget } from './operator-actions';

describe('operator targets', () => {
  it('writes an address the operator typed in its canonical text, so it meets the live block it names', () => {
    expect(parseTarget('2001:DB8:0:0:0:0:0:101')).toEqual({ type: 'ip', value: '2001:db8::101' });
    expect(parseTarget('::ffff:198.18.0.9')).toEqual({ type: 'ip', value: '198.18.0.9' });
    expect(parseTarget('198.18.0.9')).toEqual({ type: 'ip', value: '198.18.0.9' });
    expect(parseTarget('account:105')).toEqual({ type: 'account', value: '105' });
    expect(() => parseTarget('198.18.0.09')).toThrow(OperatorRequestError);
  });
});
