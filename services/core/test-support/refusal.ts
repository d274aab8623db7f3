// The message a configuration is refused with; a test fails when the text is accepted.
import { parseConfig } from '../config';

export function refusal(text: string): string {
  try {
    parseConfig(text, 'test.yaml');
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('accepted');
}
