// The rate deck: E.164 prefix -> price per minute, longest prefix wins. A CSV of two columns,
// `prefix,price_per_minute`, with an optional header line and # comments; prefixes are digits
// without + (country code first), prices decimal numbers in one currency. Unquoted by design: a
// deck holds no text, so a quoted or wider line is an error that names its line.
import { readFileSync } from 'node:fs';
import { CallsentryError } from '../core/errors';

export const MAX_PREFIX_DIGITS = 15;

export class RateDeck {
  private readonly prices = new Map<string, number>();
  private longest = 0;

  static empty(): RateDeck {
    return new RateDeck();
  }

  static parse(text: string, source = 'rate deck'): RateDeck {
    const deck = new RateDeck();
    const lines = text.split(/\r?\n/);
    let first = true;
    lines.forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const cols = line.split(',').map((c) => c.trim());
      // a header: the first line that is not a comment, two names of letters
      const header = first && /^[A-Za-z_ ]+,[A-Za-z_ ]+$/.test(line);
      first = false;
      if (header) return;
      const [prefix, price] = cols;
      if (cols.length !== 2 || !new RegExp(`^\\d{1,${MAX_PREFIX_DIGITS}}$`).test(prefix) || !/^\d+(\.\d+)?$/.test(price ?? '')) {
        throw new CallsentryError('BAD_CONFIG', `${source} line ${i + 1}: expected prefix,price_per_minute (digits, then a decimal number), got '${line.slice(0, 80)}'`);
      }
      if (deck.prices.has(prefix)) throw new CallsentryError('BAD_CONFIG', `${source} line ${i + 1}: prefix ${prefix} is listed twice`);
      deck.set(prefix, Number(price));
    });
    return deck;
  }

  static load(file: string): RateDeck {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CallsentryError('BAD_CONFIG', `verdicts.rate_deck_file: cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
    return RateDeck.parse(text, file);
  }

  set(prefix: string, pricePerMinute: number): void {
    this.prices.set(prefix, pricePerMinute);
    this.longest = Math.max(this.longest, prefix.length);
  }

  get size(): number {
    return this.prices.size;
  }

  /** Price per minute of an E.164 number (+digits or digits); 0 when no prefix matches. */
  price(e164: string | undefined): number {
    if (!e164) return 0;
    const digits = e164.startsWith('+') ? e164.slice(1) : e164;
    for (let n = Math.min(this.longest, digits.length); n > 0; n--) {
      const p = this.prices.get(digits.slice(0, n));
      if (p !== undefined) return p;
    }
    return 0;
  }
}
