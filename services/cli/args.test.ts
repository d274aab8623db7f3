import { helpText, parseArgs, type CommandSpec } from './args';

const spec: CommandSpec = {
  name: 'replay',
  summary: 's',
  usage: 'callsentry replay [options] FILE...',
  options: [
    { name: 'json', type: 'boolean', description: 'json' },
    { name: 'input', type: 'string', multiple: true, description: 'input' },
    { name: 'for', type: 'number', description: 'seconds', range: { min: 0, exclusiveMin: true } },
    { name: 'phones', type: 'number', description: 'phones', default: 20, range: { min: 0, integer: true } },
    { name: 'level', type: 'string', description: 'level', default: 'warn' },
  ],
};

describe('parseArgs', () => {
  it('reads declared options, defaults, repeated values, positionals, - and what follows --', () => {
    const a = parseArgs(spec, ['--json', '--input', 'a', '--input=b', '--for', '2.5', 'x.pcap', '-', '--', '--odd-name']);
    expect(a.options).toEqual({ json: true, input: ['a', 'b'], for: 2.5, phones: 20, level: 'warn' });
    expect(a.positionals).toEqual(['x.pcap', '-', '--odd-name']);
    expect(a.help).toBe(false);
  });

  it('refuses a short flag instead of taking it for a file name', () => {
    expect(() => parseArgs(spec, ['-j', 'x'])).toThrow(/unknown option -j for 'replay' \(see callsentry replay --help\)/);
  });

  it('refuses unknown long flags, missing values and values given to switches', () => {
    expect(() => parseArgs(spec, ['--jsn', 'x'])).toThrow(/unknown option --jsn for 'replay'/);
    expect(() => parseArgs(spec, ['--level'])).toThrow(/option --level needs a value/);
    expect(() => parseArgs(spec, ['--json=yes'])).toThrow(/option --json is a switch and takes no value/);
    expect(() => parseArgs(spec, ['--level', '-x'])).toThrow(/option --level: a value that starts with '-' is written --level=VALUE/);
    expect(parseArgs(spec, ['--level=-x', '--input', '-']).options).toMatchObject({ level: '-x', input: ['-'] });
  });

  it('checks numbers and their range, naming the option, the value and what is allowed', () => {
    expect(() => parseArgs(spec, ['--for', 'soon'])).toThrow("option --for takes a number, got 'soon'");
    expect(() => parseArgs(spec, ['--for', '-5'])).toThrow('option --for must be a number greater than 0, got -5');
    expect(() => parseArgs(spec, ['--for', '0'])).toThrow('option --for must be a number greater than 0, got 0');
    expect(() => parseArgs(spec, ['--phones', '-1'])).toThrow('option --phones must be a whole number at least 0, got -1');
    expect(() => parseArgs(spec, ['--phones', '1.5'])).toThrow(/whole number/);
    expect(parseArgs(spec, ['--phones', '0']).options.phones).toBe(0);
  });

  it('knows --help and -h, and shows ranges in the help', () => {
    expect(parseArgs(spec, ['-h']).help).toBe(true);
    expect(parseArgs(spec, ['x', '--help']).help).toBe(true);
    expect(helpText(spec)).toContain('--for <n>');
    expect(helpText(spec)).toContain('(a number greater than 0)');
  });
});
