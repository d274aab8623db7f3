import { columns } from './columns';

describe('columns', () => {
  it('aligns every column to its widest cell, however long a name is', () => {
    const lines = columns([
      ['block', 'ip=203.0.113.50', 'firewall', 'a reason'],
      ['suspend-account', 'account=policy/trunk-to-trunk-transfer-very-long', 'proxy', 'another'],
    ]);
    expect(lines).toEqual([
      'block            ip=203.0.113.50                                   firewall  a reason',
      'suspend-account  account=policy/trunk-to-trunk-transfer-very-long  proxy     another',
    ]);
    expect(columns([])).toEqual([]);
  });
});
