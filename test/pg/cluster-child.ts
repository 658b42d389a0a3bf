// A process that starts a test cluster, prints it, and waits to be killed (test/pg/pg-cluster.test.ts kills it with -9).
import { startPgCluster } from './pg-cluster';

const cluster = await startPgCluster();
process.stdout.write(`${JSON.stringify({ pid: cluster.pid, dir: cluster.dir })}\n`);
setInterval(() => undefined, 60_000);
