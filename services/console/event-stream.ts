// GET /api/events: findings, decisions, acknowledgements and operator actions as server-sent events
// the moment the console's stage reads them. Ends when the session does.
import type { ServerResponse } from 'node:http';
import type { Caller } from './console-server';
import type { LiveState } from './live-state';

export function streamEvents(res: ServerResponse, state: LiveState, caller: Caller, now: () => number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write('retry: 3000\n\n');
  // JSON never holds a raw newline, so one data line carries one event whatever the record contains
  const stop = state.listen((e) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`));
  const ping = setInterval(() => {
    if (caller.session && caller.session.expiresAt <= now()) res.end();
    else res.write(': ping\n\n');
  }, 15_000);
  ping.unref();
  res.on('close', () => {
    stop();
    clearInterval(ping);
  });
}
