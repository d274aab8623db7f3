// `npm run dashboards`: writes the dashboards' JSON and Grafana's provisioning files beside the sources.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DASHBOARDS } from './all';
import { renderDashboard } from './dashboard';
import { dashboardsYaml, datasourcesYaml } from './provisioning';

/** Every generated file, by path relative to dashboards/. */
export function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const d of DASHBOARDS) files.set(`generated/${d.uid}.json`, JSON.stringify(renderDashboard(d), null, 2) + '\n');
  files.set('provisioning/datasources/callsentry.yaml', datasourcesYaml());
  files.set('provisioning/dashboards/callsentry.yaml', dashboardsYaml());
  return files;
}

if (require.main === module) {
  // dist/dashboards/src/generate.js -> <repo>/dashboards
  const root = path.resolve(__dirname, '../../../dashboards');
  for (const [rel, text] of generatedFiles()) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
    process.stdout.write(`wrote dashboards/${rel}\n`);
  }
}
