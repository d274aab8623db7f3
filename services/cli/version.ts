// `callsentry --version`: the package version, and the git commit when it runs from a git checkout
// (a clone built with `npm run build`), with `-dirty` when the checkout has local changes.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The nearest package.json named callsentry above this file (services/cli in source, dist/services/cli built). */
function packageRoot(): string | undefined {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!existsSync(file)) continue;
    try {
      if ((JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'callsentry') return dir;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function versionText(): string {
  const root = packageRoot();
  if (!root) return 'callsentry (version unknown: package.json not found)';
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  let commit = '';
  if (existsSync(path.join(root, '.git'))) {
    try {
      commit = execFileSync('git', ['describe', '--always', '--dirty', '--abbrev=12'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).toString().trim();
    } catch {
      commit = ''; // no git on this machine: the version alone
    }
  }
  return `callsentry ${version}${commit ? ` (commit ${commit})` : ''}`;
}
