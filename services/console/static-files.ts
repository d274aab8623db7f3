// The console's pages, scripts and styles: a fixed list of files under ./static, read once at start
// and served from memory. Nothing is fetched from elsewhere at runtime (no CDN).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface Asset {
  type: string;
  body: Buffer;
}

/** URL path -> file name; public ones are served before login (the login page needs them). */
const FILES: Record<string, { file: string; type: string; public?: boolean }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/login': { file: 'login.html', type: 'text/html; charset=utf-8', public: true },
  '/static/console.css': { file: 'console.css', type: 'text/css; charset=utf-8', public: true },
  '/static/login.js': { file: 'login.js', type: 'text/javascript; charset=utf-8', public: true },
  '/static/dom.js': { file: 'dom.js', type: 'text/javascript; charset=utf-8', public: true },
  '/static/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/static/charts.js': { file: 'charts.js', type: 'text/javascript; charset=utf-8' },
  '/static/ladder.js': { file: 'ladder.js', type: 'text/javascript; charset=utf-8' },
  '/static/incidents.js': { file: 'incidents.js', type: 'text/javascript; charset=utf-8' },
};

/** The source tree holds the files; the build (dist/) does not copy them, so look in both places. */
function staticDir(): string {
  const candidates = [path.join(__dirname, 'static'), path.resolve(__dirname, '../../../services/console/static')];
  const dir = candidates.find((d) => existsSync(path.join(d, 'index.html')));
  if (!dir) throw new Error(`console pages not found (looked in ${candidates.join(', ')}): a broken installation`);
  return dir;
}

export function loadAssets(): { get(urlPath: string): (Asset & { public: boolean }) | undefined } {
  const dir = staticDir();
  const assets = new Map(Object.entries(FILES).map(([url, f]) => [url, { type: f.type, public: Boolean(f.public), body: readFileSync(path.join(dir, f.file)) }]));
  return { get: (urlPath) => assets.get(urlPath === '/index.html' ? '/' : urlPath) };
}
