import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it: the server keeps only the salted
 * verifier, checks the client's proof and proves in return that it knows the verifier. Channel
 * binding (SCRAM-SHA-256-PLUS) is not offered, so a client flag of 'y' ("I could bind, you did not
 * offer it") or 'n' is accepted and 'p' is refused.
 */

/** The stored form of a password: what pg_authid keeps for SCRAM. */
export interface ScramVerifier {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();
const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();

/** Derives a verifier from a password with a fresh random salt (4096 iterations, PostgreSQL's default). */
export function scramVerifier(password: string, iterations = 4096, salt = randomBytes(16)): ScramVerifier {
  // SASLprep is approximated by NFKC; for ASCII passwords the two are identical.
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  return { salt, iterations, storedKey: sha256(clientKey), serverKey: hmac(salted, 'Server Key') };
}

/** Thrown for messages that break the SCRAM exchange (the connection answers 08P01 or 28P01). */
export class ScramError extends Error {
  constructor(
    message: string,
    /** True when the client's proof was wrong (28P01) rather than the exchange malformed (08P01). */
    readonly badPassword = false,
  ) {
    super(message);
    this.name = 'ScramError';
  }
}

function attributes(msg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of msg.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out.set(part[0]!, part.slice(2));
  }
  return out;
}

/** One server side of a SCRAM exchange: first message in, challenge out; final in, signature out. */
export class ScramServer {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';

  constructor(
    private readonly verifier: ScramVerifier,
    /** The server's half of the nonce; random unless a test pins it. */
    private readonly serverNonce = randomBytes(18).toString('base64'),
  ) {}

  /** Takes the client-first message and returns the server-first message. */
  first(clientFirst: string): string {
    const m = /^([ny]|p=[^,]*),([^,]*),(.*)$/.exec(clientFirst);
    if (!m) throw new ScramError('malformed SCRAM message');
    if (m[1]!.startsWith('p')) {
      throw new ScramError('channel binding is not supported by this server; use channel_binding=disable');
    }
    this.gs2Header = `${m[1]},${m[2]},`;
    this.clientFirstBare = m[3]!;
    const clientNonce = attributes(this.clientFirstBare).get('r');
    if (!clientNonce) throw new ScramError('malformed SCRAM message: no nonce');
    this.nonce = clientNonce + this.serverNonce;
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return this.serverFirst;
  }

  /** Takes the client-final message; returns the server-final message or throws ScramError. */
  final(clientFinal: string): string {
    const at = clientFinal.lastIndexOf(',p=');
    if (at < 0) throw new ScramError('malformed SCRAM message: no proof');
    const withoutProof = clientFinal.slice(0, at);
    const attrs = attributes(clientFinal);
    if (attrs.get('c') !== Buffer.from(this.gs2Header).toString('base64')) {
      throw new ScramError('SCRAM channel binding check failed');
    }
    if (attrs.get('r') !== this.nonce) throw new ScramError('SCRAM nonce mismatch');
    const proof = Buffer.from(attrs.get('p') ?? '', 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(this.verifier.storedKey, authMessage);
    if (proof.length !== signature.length) throw new ScramError('invalid SCRAM proof', true);
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ signature[i]!;
    if (!timingSafeEqual(sha256(clientKey), this.verifier.storedKey)) {
      throw new ScramError('password authentication failed', true);
    }
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }
}
