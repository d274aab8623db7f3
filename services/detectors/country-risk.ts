// Country risk lists: the fraud risk of calling a country, 1 (low) to 3 (high), read once at
// configuration time from a CSV with `iso2` and `risk` columns (the format of the public TFPS
// country list). Without a file of the operator's own, callsentry's small default list is used
// (data/country-risk.csv): written for this project from public IRSF reporting, a starting point,
// not an authority.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CallsentryError } from '../core/errors';

export type CountryRisk = Readonly<Record<string, number>>;

/** The shipped default, beside the sources or (built) beside dist/. */
export function defaultCountryRiskFile(): string {
  const candidates = [path.join(__dirname, 'data', 'country-risk.csv'), path.resolve(__dirname, '../../../services/detectors/data/country-risk.csv')];
  return candidates.find((f) => existsSync(f)) ?? candidates[0];
}

const MAX_ROWS = 1000;

/** The cells of one CSV line; a quoted cell ("Korea, Republic of") may hold commas and doubled quotes. */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') cells.push(cell.trim()), (cell = '');
    else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}

/** ISO 3166 alpha-2 code to risk level (1 to 3). Blank lines and `#` comments are skipped. */
export function readCountryRiskFile(file: string): CountryRisk {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CallsentryError('BAD_CONFIG', `country_risk_file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const header = lines[0]?.toLowerCase().split(',').map((h) => h.trim()) ?? [];
  const iso = header.indexOf('iso2');
  const risk = header.indexOf('risk');
  if (iso < 0 || risk < 0) throw new CallsentryError('BAD_CONFIG', `country_risk_file ${file}: expected a CSV header with the columns iso2 and risk`);
  if (lines.length - 1 > MAX_ROWS) throw new CallsentryError('BAD_CONFIG', `country_risk_file ${file}: more than ${MAX_ROWS} rows`);
  const out: Record<string, number> = Object.create(null);
  lines.slice(1).forEach((line, i) => {
    const cells = csvCells(line);
    const code = cells[iso]?.toUpperCase();
    const level = Number(cells[risk]);
    if (!Number.isInteger(level) || level < 1 || level > 3) {
      throw new CallsentryError('BAD_CONFIG', `country_risk_file ${file}: line ${i + 2} has no risk of 1 to 3: ${JSON.stringify(line.slice(0, 80))}`);
    }
    // a row whose code is damaged (the public TFPS list has one: `"""Congo", D`) names no
    // country: skipped, so calls to that country score as unlisted
    if (code && /^[A-Z]{2}$/.test(code)) out[code] = level;
  });
  if (Object.keys(out).length === 0) throw new CallsentryError('BAD_CONFIG', `country_risk_file ${file}: no row names an ISO 3166 alpha-2 country`);
  return out;
}
