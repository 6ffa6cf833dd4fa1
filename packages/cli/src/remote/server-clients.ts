/**
 * The SDK's clients as the commands use them: built from the configured connection, with few retries (a person is
 * waiting), and every SDK error turned into the CLI's own (`ServerError`, `UsageError`, `OrchestrationEndedError`)
 * so the message says what to do and `main` picks the exit code. Loaded only by commands that talk to a server.
 */
import {
  type BatonAdminClient,
  BatonApiError,
  type BatonClient,
  BatonConnectionError,
  BatonProtocolError,
  createAdminClient,
  createClient,
  InvalidClientOptionError,
  OrchestrationFailedError,
} from '@baton/sdk';
import { adminConnection, type ProjectConnection, projectConnection } from '../config/connection.js';
import { OrchestrationEndedError } from '../orchestration-ended-error.js';
import { ServerError } from '../server-error.js';
import { UsageError } from '../usage-error.js';

/**
 * Which credential a request carried, to say which one to fix when it is refused: the saved or `BATON_API_KEY` key,
 * the key `baton login --key` is checking, or the admin token.
 */
export type Credential = 'api-key' | 'login-key' | 'admin-token';

/** What to do about a refused credential. */
const CREDENTIAL_FIX: Record<Credential, string> = {
  'api-key': 'run baton login again, or set BATON_API_KEY to a key of the project',
  'login-key':
    'check the key given with --key: a project API key (bk_…) is shown once, by baton projects add or baton api-keys add',
  'admin-token': 'pass the server admin token with --admin-token or BATON_ADMIN_TOKEN',
};

const RETRY = { retries: 2, minDelayMs: 200, maxDelayMs: 1000 } as const;
/** Following an orchestration outlasts a server restart: about 14 to 28 s of reconnecting before it gives up. */
const FOLLOW_RETRY = { retries: 16, minDelayMs: 250, maxDelayMs: 2000 } as const;

/**
 * A client of `connection` for following an orchestration (events, its result): patient with a server that is away,
 * as one being restarted is for a few seconds. `onLost` hears a line when the server stops answering (once a spell),
 * so the wait is not silent. Errors it throws inside `withProjectClient` are turned as any other.
 */
export function followingClient(connection: ProjectConnection, onLost?: (line: string) => void): BatonClient {
  const retry =
    onLost === undefined
      ? FOLLOW_RETRY
      : {
          ...FOLLOW_RETRY,
          onRetry: ({ attempt, error }: { attempt: number; error: unknown }) => {
            // Only a connection refused or cut (the server went away), not a refusal the server answered.
            if (attempt !== 1 || !BatonConnectionError.isInstance(error)) return;
            onLost(`(lost the server at ${connection.url}; reconnecting for up to about 28 s…)`);
          },
        };
  return createClient({ url: connection.url, apiKey: connection.apiKey, retry });
}

/**
 * The error that ended the following of orchestration `id`: one of a server that could not be reached says that the
 * orchestration is the server's to go on with, and how to follow it again.
 */
export function lostWhileFollowing(error: unknown, id: string): unknown {
  const turned = cliErrorOf(error, 'api-key');
  if (!ServerError.isInstance(turned) || turned.failure !== 'unreachable' || turned.status !== undefined) return turned;
  return new ServerError(
    'unreachable',
    `${turned.message.replace(/\.?$/, '.')} Orchestration ${id} is kept by the server, which goes on with it when it is back: baton logs ${id} -f follows it again`,
    { cause: error },
  );
}

/**
 * Runs `use` with a client of the configured project; `following` gives it the patience of `followingClient`.
 *
 * @example
 * const services = await withProjectClient((client) => client.services());
 */
export async function withProjectClient<T>(
  use: (client: BatonClient, connection: ProjectConnection) => Promise<T>,
  connection?: ProjectConnection,
  options: { following?: boolean; onLost?: (line: string) => void; credential?: 'api-key' | 'login-key' } = {},
): Promise<T> {
  const chosen = connection ?? (await projectConnection());
  try {
    const client =
      options.following === true
        ? followingClient(chosen, options.onLost)
        : createClient({ url: chosen.url, apiKey: chosen.apiKey, retry: RETRY });
    return await use(client, chosen);
  } catch (error) {
    throw cliErrorOf(error, options.credential ?? 'api-key');
  }
}

/** Runs `use` with the server admin's client (`--admin-token` or `BATON_ADMIN_TOKEN`). */
export async function withAdminClient<T>(
  adminTokenOption: string | undefined,
  use: (client: BatonAdminClient) => Promise<T>,
): Promise<T> {
  const { url, adminToken } = await adminConnection(adminTokenOption);
  try {
    return await use(createAdminClient({ url, adminToken, retry: RETRY }));
  } catch (error) {
    throw cliErrorOf(error, 'admin-token');
  }
}

/** The CLI's error for an SDK error; any other error as it is. */
export function cliErrorOf(error: unknown, credential: Credential): unknown {
  if (InvalidClientOptionError.isInstance(error)) {
    const source = error.option === 'url' ? ' (from --url, BATON_URL or the saved config)' : '';
    return new UsageError(`${error.message}${source}`, { cause: error });
  }
  if (BatonConnectionError.isInstance(error)) {
    return new ServerError('unreachable', `could not reach the server: ${error.message}`, { cause: error });
  }
  if (BatonProtocolError.isInstance(error)) {
    return new ServerError('unreachable', `the server's answer is not Baton's: ${error.message}`, { cause: error });
  }
  if (OrchestrationFailedError.isInstance(error)) {
    return new OrchestrationEndedError(error.orchestrationId, error.status, error.message);
  }
  if (BatonApiError.isInstance(error)) return apiError(error, credential);
  return error;
}

function apiError(error: BatonApiError, credential: Credential): ServerError {
  const where = `${error.method} ${new URL(error.url).pathname}`;
  const options = { status: error.status, cause: error };
  if (error.status >= 500) {
    return new ServerError(
      'unreachable',
      `the server failed (${error.status} ${error.title}, ${where}): ${error.detail}`,
      options,
    );
  }
  if (error.status === 401 || error.status === 403) {
    return new ServerError(
      'refused',
      `the server refused the ${credential === 'admin-token' ? 'admin token' : 'API key'} (${error.status} ${error.title}: ${error.detail}); ${CREDENTIAL_FIX[credential]}`,
      options,
    );
  }
  if (error.code === 'no-route') {
    return new ServerError(
      'refused',
      `the server has no ${where} (${error.status} no-route): it may be older than this CLI`,
      options,
    );
  }
  // A problem the detail already states (at its path) is not repeated.
  const shown = error.problems.filter(
    (problem) => !error.detail.includes(problem.path ? `${problem.path}: ${problem.message}` : problem.message),
  );
  const listed = shown.slice(0, 10).map((problem) => `${problem.path || '(body)'}: ${problem.message}`);
  const more = shown.length > 10 ? ` (and ${shown.length - 10} more)` : '';
  const status = `(${error.status} ${error.code}, ${where})`;
  // A detail that lists the first problems and counts the rest ("; and 2 more") goes on with the rest in its place.
  const counted = /; and \d+ more$/;
  if (listed.length > 0 && counted.test(error.detail)) {
    const detail = `${error.detail.replace(counted, '')}; ${listed.join('; ')}${more}`;
    return new ServerError('refused', `the server refused: ${detail} ${status}`, options);
  }
  const problems = listed.length === 0 ? '' : ` — ${listed.join('; ')}${more}`;
  return new ServerError('refused', `the server refused: ${error.detail} ${status}${problems}`, options);
}
