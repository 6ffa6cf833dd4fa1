/** Test helper: a TCP proxy to the test PostgreSQL server that can refuse connections and cut the open ones. */
import { createServer, Socket as NetSocket, type Server, type Socket } from 'node:net';

export const POSTGRES_TEST_URL = process.env.BATON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface CuttableProxy {
  /** The test server's URL, through the proxy. */
  url: string;
  /** Drops every open connection and refuses new ones. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function cuttableProxy(): Promise<CuttableProxy> {
  const target = new URL(POSTGRES_TEST_URL);
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((socket) => {
    if (!open) return socket.destroy();
    const upstream = new NetSocket();
    upstream.connect(Number(target.port || 5432), target.hostname);
    for (const end of [socket, upstream]) {
      sockets.add(end);
      end.on('close', () => sockets.delete(end));
      end.on('error', () => {});
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = new URL(POSTGRES_TEST_URL);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.toString(),
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      open = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
