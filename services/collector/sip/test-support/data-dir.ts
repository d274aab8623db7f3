// Where the shared, read-only test data lives: ../shared/data next to the repository root (the
// folder holding package.json). Tests read it in place and never copy it into the repository.
import fs from 'node:fs';
import path from 'node:path';

export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

export const DATA_DIR = path.resolve(repoRoot(), '../shared/data');

export function dataPath(...parts: string[]): string {
  return path.join(DATA_DIR, ...parts);
}
