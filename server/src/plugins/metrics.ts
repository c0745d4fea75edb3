/** Prometheus metrics. Labels carry command types and outcomes only — never a delegate id or a ballot choice. */
import client from 'prom-client';

export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'hall_' });
  const commands = new client.Counter({ name: 'hall_commands_total', help: 'Commands by type and outcome', labelNames: ['type', 'outcome'], registers: [registry] });
  const latency = new client.Histogram({
    name: 'hall_command_seconds',
    help: 'Command handling time, receipt to ack',
    labelNames: ['type'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const connections = new client.Gauge({ name: 'hall_socket_connections', help: 'Open Socket.IO connections', registers: [registry] });
  const fenced = new client.Counter({
    name: 'hall_store_fenced_total',
    help: 'Writes refused because the writer did not hold the session lease (cluster fencing at work)',
    registers: [registry],
  });
  let liveSessions: () => Promise<number> = async () => 0;
  new client.Gauge({
    name: 'hall_live_sessions',
    help: 'Sessions with a running actor on this node',
    registers: [registry],
    async collect() {
      this.set(await liveSessions());
    },
  });
  return {
    registry,
    hooks: {
      command(type: string, outcome: string, ms: number) {
        commands.inc({ type, outcome });
        latency.observe({ type }, ms / 1000);
      },
      connections(delta: number) {
        connections.inc(delta);
      },
      fenced() {
        fenced.inc();
      },
    },
    liveSessions(fn: () => Promise<number>) {
      liveSessions = fn;
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
