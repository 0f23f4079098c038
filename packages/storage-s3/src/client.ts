import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { type S3LogLevel, type S3Options, StorageError } from '@asbkit/storage';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Semaphore } from './semaphore.js';

export const DEFAULT_MAX_ASYNC_UPLOADS = 16;
export const DEFAULT_MAX_ASYNC_DOWNLOADS = 32;
export const DEFAULT_CONNECT_TIMEOUT_MS = 1000;
export const DEFAULT_MAX_ATTEMPTS = 5;

/** One S3 client and the request bounds shared by every file of a run. */
export interface S3Context {
  client: S3Client;
  options: S3Options;
  /** Where requests go, for messages. */
  endpoint: string;
  uploads: Semaphore;
  downloads: Semaphore;
}

const LOG_LEVELS: S3LogLevel[] = ['Off', 'Fatal', 'Error', 'Warn', 'Info', 'Debug', 'Trace'];

function positiveInt(value: number | undefined, fallback: number, option: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v <= 0) {
    throw new StorageError('BAD_OPTION', `${option} must be a positive integer, got ${value}`, { option });
  }
  return v;
}

/** SDK logger writing to stderr from the chosen `--s3-log-level` up. */
function sdkLogger(level: S3LogLevel) {
  const rank = LOG_LEVELS.indexOf(level);
  const at = (min: S3LogLevel) =>
    rank >= LOG_LEVELS.indexOf(min) ? (...args: unknown[]) => console.error('[s3]', ...args) : () => {};
  return { error: at('Error'), warn: at('Warn'), info: at('Info'), debug: at('Debug'), trace: at('Trace') };
}

/** The endpoint as messages show it: any `user:password@` part is left out. */
export function endpointForMessages(endpoint: string): string {
  if (!URL.canParse(endpoint)) return endpoint;
  const url = new URL(endpoint); // (URL.parse needs Node 22)
  if (url.username === '' && url.password === '') return endpoint;
  url.username = '';
  url.password = '';
  return url.href.endsWith('/') && !endpoint.endsWith('/') ? url.href.slice(0, -1) : url.href;
}

/** Checks the `--s3-*` options and builds the client (credentials: the SDK's standard chain). */
export function createS3Context(options: S3Options = {}): S3Context {
  if (!options.region && !options.endpointOverride) {
    throw new StorageError('BAD_OPTION', 'S3 paths need --s3-region or --s3-endpoint-override', {
      option: '--s3-region',
    });
  }
  if (options.endpointOverride !== undefined && !URL.canParse(options.endpointOverride)) {
    throw new StorageError('BAD_OPTION', `--s3-endpoint-override is not a URL: ${options.endpointOverride}`, {
      option: '--s3-endpoint-override',
    });
  }
  const level = options.logLevel ?? 'Fatal';
  if (!LOG_LEVELS.includes(level)) {
    throw new StorageError(
      'BAD_OPTION',
      `--s3-log-level must be one of ${LOG_LEVELS.join(', ')}, got ${level}`,
      {
        option: '--s3-log-level',
      },
    );
  }
  const uploads = positiveInt(options.maxAsyncUploads, DEFAULT_MAX_ASYNC_UPLOADS, '--s3-max-async-uploads');
  const downloads = positiveInt(
    options.maxAsyncDownloads,
    DEFAULT_MAX_ASYNC_DOWNLOADS,
    '--s3-max-async-downloads',
  );
  const connectTimeout = positiveInt(
    options.connectTimeoutMs,
    DEFAULT_CONNECT_TIMEOUT_MS,
    '--s3-connect-timeout',
  );
  const maxAttempts = positiveInt(options.maxAttempts, DEFAULT_MAX_ATTEMPTS, 'maxAttempts');
  const sockets = uploads + downloads + 4;
  // The SDK warns on stderr about Node < 22 on first use; that would break the official log format.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config: S3ClientConfig = {
    region: options.region ?? 'us-east-1',
    maxAttempts,
    retryMode: 'standard',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: connectTimeout,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: sockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: sockets }),
    }),
    // S3-compatible services often lack the newer default checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    logger: sdkLogger(level),
  };
  // The SDK's chain reads the `default` profile anyway; naming it would skip env credentials.
  if (options.profile && options.profile !== 'default') config.profile = options.profile;
  if (options.endpointOverride) {
    config.endpoint = options.endpointOverride;
    config.forcePathStyle = true;
  }
  return {
    client: new S3Client(config),
    options,
    endpoint: options.endpointOverride
      ? endpointForMessages(options.endpointOverride)
      : `AWS S3 (${config.region})`,
    uploads: new Semaphore(uploads),
    downloads: new Semaphore(downloads),
  };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

export function errorName(err: unknown): string {
  if (typeof err !== 'object' || err === null) return '';
  const e = err as { name?: string; Code?: string; code?: string };
  return e.Code ?? e.name ?? e.code ?? '';
}

/** HTTP status of an SDK error, if it got that far. */
export function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** Turns an SDK failure into one clear StorageError naming the action and the S3 path. */
export function s3Error(
  ctx: S3Context,
  err: unknown,
  action: string,
  url: string,
  bucket?: string,
): StorageError {
  if (err instanceof StorageError) return err;
  const name = errorName(err);
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string })?.code ?? '';
  // Keep a small cause: the SDK error carries the whole HTTP exchange, signed headers included.
  const cause = Object.assign(new Error(message), { name: name || 'Error', code: code || undefined });
  if (name === 'NoSuchBucket') {
    return new StorageError('S3', `S3 bucket ${bucket ?? '?'} does not exist (while ${action} ${url})`, {
      path: url,
      cause,
    });
  }
  if (NETWORK_CODES.has(code) || NETWORK_CODES.has(name) || name === 'TimeoutError') {
    return new StorageError(
      'S3',
      `Cannot reach S3 endpoint ${ctx.endpoint} while ${action} ${url}: ${code || name} ${message}`.trim(),
      { path: url, option: '--s3-endpoint-override', cause },
    );
  }
  const status = httpStatus(err);
  return new StorageError(
    'S3',
    `S3 error while ${action} ${url}: ${name || 'Error'}${status ? ` (HTTP ${status})` : ''}: ${message}`,
    { path: url, cause },
  );
}
