import type { OptionSpec } from '../cli/args';

export const CONFIG_OPTION: OptionSpec = {
  name: 'config',
  type: 'string',
  description: 'YAML configuration file (or set CALLSENTRY_CONFIG); none = embedded defaults',
};
