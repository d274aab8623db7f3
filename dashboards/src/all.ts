// Every dashboard, in the order Grafana lists them.
import type { DashboardSpec } from './dashboard';
import { dos } from './dos';
import { enforcement } from './enforcement';
import { fraud } from './fraud';
import { nocOverview } from './noc-overview';
import { policy } from './policy';

export const DASHBOARDS: DashboardSpec[] = [nocOverview, dos, fraud, policy, enforcement];
