/// <reference path="./s3rver.d.ts" />
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Options } from '@asbkit/storage';
import S3rver from 's3rver';

export interface TestS3Server {
  /** `http://127.0.0.1:<port>` (the front proxy). */
  endpoint: string;
  /** Ready-made `--s3-*` settings for this server (dummy credentials come from the env). */
  s3: S3Options;
  /** Makes the next `count` requests fail with `status` (503 SlowDown by default) before s3rver sees them. */
  failNext(count: number, status?: number): void;
  /** Requests seen by the front proxy so far. */
  readonly requests: number;
  stop(): Promise<void>;
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function sendXml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
}

function errorXml(res: ServerResponse, status: number, code: string, message: string): void {
  sendXml(res, status, `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`);
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Starts s3rver on 127.0.0.1 (ephemeral port, temporary directory) with the given buckets,
 * behind a small proxy on another ephemeral port. The proxy adds what s3rver lacks
 * (ListMultipartUploads, AbortMultipartUpload, over s3rver's own upload directories) and can
 * inject failures. Sets dummy AWS credentials in the environment (never real ones).
 */
export async function startTestS3Server(buckets: string[] = ['test-bucket']): Promise<TestS3Server> {
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  const directory = await mkdtemp(join(tmpdir(), 'asbkit-s3rver-'));
  const s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port: backendPort } = await s3rver.run();
  const uploadsDir = (bucket: string) => join(directory, bucket, '._S3rver_uploads');

  let faults = 0;
  let faultStatus = 503;
  let requests = 0;

  async function listUploads(res: ServerResponse, bucket: string, prefix: string): Promise<void> {
    if (!(await exists(join(directory, bucket)))) {
      return errorXml(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    }
    const ids = await readdir(uploadsDir(bucket)).catch(() => [] as string[]);
    const uploads: string[] = [];
    for (const id of ids.sort()) {
      const key = await readFile(join(uploadsDir(bucket), id, 'key'), 'utf8').catch(() => undefined);
      if (key?.startsWith(prefix)) {
        uploads.push(`<Upload><Key>${xmlEscape(key)}</Key><UploadId>${xmlEscape(id)}</UploadId></Upload>`);
      }
    }
    sendXml(
      res,
      200,
      `<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${xmlEscape(bucket)}</Bucket>` +
        `<Prefix>${xmlEscape(prefix)}</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>${uploads.join('')}</ListMultipartUploadsResult>`,
    );
  }

  async function abortUpload(res: ServerResponse, bucket: string, uploadId: string): Promise<void> {
    const dir = join(uploadsDir(bucket), uploadId.replace(/[/\\]/g, ''));
    if (!(await exists(dir)))
      return errorXml(res, 404, 'NoSuchUpload', 'The specified upload does not exist');
    await rm(dir, { recursive: true, force: true });
    res.writeHead(204);
    res.end();
  }

  function forward(req: IncomingMessage, res: ServerResponse): void {
    const upstream = request(
      { host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  const proxy = createServer((req, res) => {
    requests++;
    if (faults > 0) {
      faults--;
      req.resume();
      return errorXml(
        res,
        faultStatus,
        faultStatus === 503 ? 'SlowDown' : 'InternalError',
        'injected failure',
      );
    }
    const url = new URL(req.url ?? '/', 'http://proxy');
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const handled =
      req.method === 'GET' && url.searchParams.has('uploads') && key === ''
        ? listUploads(res, bucket, url.searchParams.get('prefix') ?? '')
        : req.method === 'DELETE' && url.searchParams.has('uploadId')
          ? abortUpload(res, bucket, url.searchParams.get('uploadId')!)
          : undefined;
    if (handled) {
      req.resume();
      handled.catch((err: Error) => errorXml(res, 500, 'InternalError', err.message));
    } else {
      forward(req, res);
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return {
    endpoint,
    s3: { endpointOverride: endpoint, region: 'us-east-1', maxAttempts: 2 },
    failNext(count, status = 503) {
      faults = count;
      faultStatus = status;
    },
    get requests() {
      return requests;
    },
    async stop() {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      await s3rver.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
