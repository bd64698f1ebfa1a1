// The guide's "Store backup in safe location (Copy to S3/Azure Blob Storage)": a verified backup is
// uploaded to S3 or an S3-compatible store with the SDK's multipart upload, then read back and hashed
// so the copy is known to be the same bytes, not merely "uploaded". Endpoint, region and credentials
// come from the standard AWS settings (AWS_ENDPOINT_URL, AWS_PROFILE, the default credential chain),
// never from our arguments, so no secret is typed on a command line or kept in shell history.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { S3Client, HeadObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { UserError } from '../errors.js';
import { redact } from '../postgres/secrets.js';
import { sidecarPath, type BackupSidecar } from './backupFiles.js';
import { prepareBackupFolder } from './backupFolder.js';
import { placeWithoutReplacing } from './placeFile.js';

export interface S3Place {
  bucket: string;
  key: string;
}

export interface OffsiteCopy {
  location: string;
  sha256: string;
  bytes: number;
  durationMs: number;
  /** How the stored copy was checked: read back in full and hashed. */
  verifiedBy: 'download-sha256';
}

export interface CopyProgress {
  loaded: number;
  total: number;
}

/** s3://bucket/prefix → the bucket and the prefix (no leading or trailing slash). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url.trim());
  if (!m)
    throw new UserError(
      `"${url}" is not an S3 location: write s3://bucket/prefix (the bucket in lower case).`,
      'bad-input',
    );
  return { bucket: m[1]!, prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

export const s3Url = (p: S3Place) => `s3://${p.bucket}/${p.key}`;

/**
 * A client from the standard settings. A custom endpoint (MinIO, s3rver, Ceph) usually serves
 * buckets by path, not by host name; and the SDK's newer default checksums (CRC32 trailers) are
 * not understood by many S3-compatible stores, so checksums are sent only where S3 requires them:
 * our own sha256, read back, is the check that matters.
 */
export function s3Client(): S3Client {
  // The SDK's notice about its future Node versions is for developers, not for a DBA mid-backup.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined);
  return new S3Client({
    ...(region ? { region } : {}),
    forcePathStyle: Boolean(endpoint),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
  });
}

/** The S3 error as one sentence saying what to do. */
export function s3Failure(err: unknown, where: string, doing: string): UserError {
  const e = err as Error & {
    name?: string;
    Code?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    cause?: { code?: string };
  };
  const name = e.Code ?? e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  const net =
    e.code ?? e.cause?.code ?? /ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|ETIMEDOUT/.exec(e.message ?? '')?.[0];
  if (name === 'NoSuchBucket')
    return new UserError(`The bucket of ${where} does not exist: create it, or fix the s3:// location.`, 'failed');
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404)
    return new UserError(
      `There is no object at ${where}: check the s3:// location (the journal records where each copy went).`,
      'bad-input',
    );
  if (
    [
      'InvalidAccessKeyId',
      'SignatureDoesNotMatch',
      'AccessDenied',
      'InvalidToken',
      'ExpiredToken',
      'CredentialsProviderError',
    ].includes(name) ||
    status === 403
  ) {
    return new UserError(
      `The S3 store refused the credentials while ${doing} ${where} (${name || `HTTP ${status}`}): set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for an identity allowed to write there.`,
      'failed',
    );
  }
  if (/Region is missing/i.test(e.message ?? ''))
    return new UserError(`No AWS region is configured: set AWS_REGION (or a region in your AWS profile).`, 'bad-input');
  if (net)
    return new UserError(
      `The connection to the S3 store broke while ${doing} ${where} (${net}): nothing was stored there; check the network (AWS_ENDPOINT_URL) and run it again.`,
      'connection',
    );
  return new UserError(`S3 failed while ${doing} ${where}: ${redact(e.message ?? String(err))}.`, 'failed');
}

export async function sha256Stream(body: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Reads the stored object back in full: its sha256 must be the local one. */
export async function storedChecksum(
  client: S3Client,
  place: S3Place,
): Promise<{ sha256: string; bytes: number; recorded?: string }> {
  const head = await client.send(new HeadObjectCommand({ Bucket: place.bucket, Key: place.key }));
  const got = await client.send(new GetObjectCommand({ Bucket: place.bucket, Key: place.key }));
  const r = await sha256Stream(got.Body as Readable);
  return { ...r, ...(head.Metadata?.sha256 ? { recorded: head.Metadata.sha256 } : {}) };
}

export interface CopyOptions {
  file: string;
  sha256: string;
  to: string;
  onProgress?: (p: CopyProgress) => void;
  client?: S3Client;
  /** Multipart part size (the SDK's minimum, 5 MiB, by default). */
  partSize?: number;
}

/** Uploads a verified backup and its record, then proves the stored copy by its sha256. */
export async function copyBackupOffsite(opts: CopyOptions): Promise<OffsiteCopy> {
  const t0 = Date.now();
  const { bucket, prefix } = parseS3Url(opts.to);
  const place: S3Place = { bucket, key: prefix ? `${prefix}/${path.basename(opts.file)}` : path.basename(opts.file) };
  const where = s3Url(place);
  const client = opts.client ?? s3Client();
  const bytes = (await fs.stat(opts.file)).size;
  try {
    const upload = new Upload({
      client,
      params: {
        Bucket: bucket,
        Key: place.key,
        Body: createReadStream(opts.file),
        ContentType: 'application/octet-stream',
        Metadata: { sha256: opts.sha256 },
      },
      partSize: opts.partSize ?? 5 * 1024 * 1024,
      queueSize: 2,
      // A cut upload is abandoned (AbortMultipartUpload): S3 never shows an object for it.
      leavePartsOnError: false,
    });
    upload.on('httpUploadProgress', (p) => opts.onProgress?.({ loaded: p.loaded ?? 0, total: p.total ?? bytes }));
    await upload.done();
  } catch (err) {
    throw s3Failure(err, where, 'uploading to');
  }
  let stored: Awaited<ReturnType<typeof storedChecksum>>;
  try {
    stored = await storedChecksum(client, place);
  } catch (err) {
    throw s3Failure(err, where, 'reading back');
  }
  if (stored.sha256 !== opts.sha256 || stored.bytes !== bytes) {
    throw new UserError(
      `The copy at ${where} is not the backup: it reads back as ${stored.bytes} bytes with sha256 ${stored.sha256}, the backup is ${bytes} bytes with sha256 ${opts.sha256}. Copy it again; do not rely on that object.`,
      'failed',
    );
  }
  // The record goes last: a copy whose record is present is a complete, checked copy.
  try {
    const record = await fs.readFile(sidecarPath(opts.file));
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${place.key}.json`, Body: record, ContentType: 'application/json' }),
    );
  } catch (err) {
    throw s3Failure(err, `${where}.json`, 'uploading to');
  }
  return { location: where, sha256: opts.sha256, bytes, durationMs: Date.now() - t0, verifiedBy: 'download-sha256' };
}

export interface StagedDownload {
  /** The download under a temporary, hidden name in the backup folder; its record is `${file}.json`. */
  file: string;
  /** The name it will have once accepted (or a free name beside it, when that one is taken). */
  name: string;
  sha256: string;
  checkedAgainst: 'journal' | 'record';
  /** Gives it a name of its own in the folder, replacing nothing; returns that path. */
  accept(): Promise<string>;
  /** Removes the download and its record: nothing local was changed. */
  discard(): Promise<void>;
}

/**
 * Downloads s3://bucket/key and its record into DIR (0600) under a temporary name, and checks the bytes
 * against the sha256 the journal recorded when the copy was made (or, without one, the copy's own
 * record). Nothing local is replaced: a dump of the same name (normal: database plus second) may be the
 * verified backup, and this download is not yet accepted; the caller accepts or discards it.
 */
export async function downloadBackup(
  url: string,
  dir: string,
  expectedSha256: string | undefined,
  client = s3Client(),
  opts: { allowUnsafeDir?: boolean } = {},
): Promise<StagedDownload> {
  const { bucket, prefix: key } = parseS3Url(url);
  if (!key || key.endsWith('/'))
    throw new UserError(
      `${url} names a folder: give the backup object, e.g. s3://${bucket}/prefix/db_20251204_120000.dump.`,
      'bad-input',
    );
  await prepareBackupFolder(dir, { allowUnsafe: opts.allowUnsafeDir });
  const folder = path.resolve(dir);
  const name = path.basename(key);
  const tmp = path.join(folder, `.incoming-${randomBytes(4).toString('hex')}-${name}`);
  const discard = () =>
    Promise.all([fs.rm(tmp, { force: true }), fs.rm(sidecarPath(tmp), { force: true })]).then(
      () => undefined,
      () => undefined,
    );
  try {
    const rec = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `${key}.json` }));
    const sidecar = JSON.parse(await rec.Body!.transformToString()) as BackupSidecar;
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const hash = createHash('sha256');
    const body = got.Body as Readable;
    body.on('data', (c: Buffer) => hash.update(c));
    await pipeline(body, createWriteStream(tmp, { mode: 0o600, flags: 'wx' }));
    const sha256 = hash.digest('hex');
    const expected = expectedSha256 ?? sidecar.sha256;
    if (sha256 !== expected) {
      throw new UserError(
        `The copy at ${url} is corrupted or was changed since it was stored: its sha256 is ${sha256}, the ${expectedSha256 ? 'journal' : "copy's record"} says ${expected}. Nothing was restored; use another copy.`,
        'failed',
      );
    }
    await fs.writeFile(sidecarPath(tmp), JSON.stringify(sidecar, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    return {
      file: tmp,
      name,
      sha256,
      checkedAgainst: expectedSha256 ? 'journal' : 'record',
      accept: () => placeWithoutReplacing(tmp, folder, name, sha256),
      discard,
    };
  } catch (err) {
    await discard();
    if (err instanceof UserError) throw err;
    throw s3Failure(err, url, 'downloading');
  }
}
