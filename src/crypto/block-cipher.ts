/**
 * The block cipher operations the switch's algorithms are built from (PIN blocks, the retail MAC,
 * DUKPT, EMV keys and cryptograms): one ECB pass without padding, single DES, double-length triple
 * DES, AES-128, single-DES CBC for the retail MAC, and XOR. OpenSSL 3 has no single DES, so single
 * DES under K is triple DES under K || K (encrypt, decrypt, encrypt under one key is one DES
 * encryption).
 *
 * Cipher objects are reused (cachedCipher below): making one costs several times the block
 * operation itself, and a request makes several (a PIN check, a MAC, a chip read about ten).
 *
 * Callers check key and data lengths and turn failures into their own error types; Node's crypto
 * errors name the algorithm, never key or data bytes.
 */
import { type Cipher, type Decipher, createCipheriv, createDecipheriv, getCipherInfo } from 'node:crypto';

export type Direction = 'encrypt' | 'decrypt';

interface CachedCipher {
  cipher: Cipher | Decipher;
  /** CBC only (desCbcLast): the chaining value the cipher holds, the last block it gave. */
  chain?: Buffer;
}

/**
 * At most this many cipher objects are kept (one costs about 2 KB of RSS: OpenSSL's context and
 * key schedule, so about 0.5 MB). Small on purpose: most keys are new with each request (card
 * master keys, session keys, DUKPT's transaction keys; a chip read makes about 4 ciphers) and used
 * only within it, and a cipher kept through a few hundred requests outlives V8's young generation
 * and is then collected from the old one. Measured on a shared 2-core VM, chip reads with 4 new
 * keys each beside one terminal's MAC key: 256 entries took the CPU per request from about 115 µs
 * to about 75 µs, 1024 left it about as before, 4096 made it dearer. A configured key (a
 * terminal's PIN or MAC key: up to 4 entries, PIN decrypt, CBC and the two single-DES halves; an
 * issuer master key; a BDK) stays while used at least once every CIPHER_CACHE_SIZE / 2 new keys;
 * one dropped is only made again, at the cost every call had before.
 */
export const CIPHER_CACHE_SIZE = 256;

/**
 * Two generations of at most CIPHER_CACHE_SIZE / 2 each, keyed by direction, algorithm and the
 * key's bytes (latin1: one character a byte). A cipher is made into `recent`; one found in
 * `older` moves to `recent`; when `recent` is full it becomes `older` and the previous `older` is
 * dropped whole. So a key used at least once every CIPHER_CACHE_SIZE / 2 new keys stays, a hit is
 * one lookup, and dropping is O(1) (an LRU Map's delete and re-insert per hit leaves holes that
 * every eviction then walks over).
 *
 * The map keys are never logged or shown; the key material is in this process's memory anyway,
 * in the cipher. The algorithm name has no NUL, so the NUL ends it and the key's bytes cannot run
 * into it.
 */
let recent = new Map<string, CachedCipher>();
let older = new Map<string, CachedCipher>();

/** Entries in the cache, for tests of its bound. */
export function cachedCipherCount(): number {
  return recent.size + older.size;
}

/** Whether ecb() holds a cipher for this algorithm, key and direction, for tests of what is dropped. */
export function hasCachedCipher(algorithm: string, key: Buffer, direction: Direction): boolean {
  const id = cacheId(direction, algorithm, key.toString('latin1'));
  return recent.has(id) || older.has(id);
}

/** Empties the cache: tests start from it; nothing else needs to. */
export function clearCipherCache(): void {
  recent = new Map();
  older = new Map();
}

function cacheId(direction: Direction, algorithm: string, keyBytes: string): string {
  return (direction === 'encrypt' ? 'e' : 'd') + algorithm + '\0' + keyBytes;
}

function admit(id: string, entry: CachedCipher): void {
  if (recent.size >= CIPHER_CACHE_SIZE / 2) {
    older = recent;
    recent = new Map();
  }
  recent.set(id, entry);
}

/** The cached cipher under `id`, made by `make` when there is none. */
function cachedCipher(id: string, make: () => CachedCipher): CachedCipher {
  const hit = recent.get(id);
  if (hit !== undefined) return hit;
  const old = older.get(id);
  if (old !== undefined) {
    older.delete(id);
    admit(id, old);
    return old;
  }
  // Made before anything is dropped or added: a bad key or algorithm throws and changes nothing.
  const made = make();
  admit(id, made);
  return made;
}

function makeEcb(algorithm: string, key: Buffer, direction: Direction): CachedCipher {
  const cipher =
    direction === 'encrypt' ? createCipheriv(algorithm, key, null) : createDecipheriv(algorithm, key, null);
  cipher.setAutoPadding(false);
  return { cipher };
}

/**
 * ECB block sizes by algorithm name, from OpenSSL; undefined for a name it does not know or a mode
 * that chains (a cipher of that mode carries state from one call to the next: not reused here).
 */
const ecbBlockSizes = new Map<string, number | undefined>();

function ecbBlockSize(algorithm: string): number | undefined {
  if (!ecbBlockSizes.has(algorithm)) {
    const info = getCipherInfo(algorithm);
    ecbBlockSizes.set(algorithm, info?.mode === 'ecb' ? info.blockSize : undefined);
  }
  return ecbBlockSizes.get(algorithm);
}

/** Whether `data` is one or more whole blocks of ECB `algorithm`: what a reused cipher can take. */
function wholeBlocks(algorithm: string, data: Buffer): boolean {
  const size = ecbBlockSize(algorithm);
  return size !== undefined && data.length > 0 && data.length % size === 0;
}

/** A fresh cipher for one pass: final() throws on a partial block, as padding is off. */
function ecbOnce(algorithm: string, key: Buffer, data: Buffer, direction: Direction): Buffer {
  const { cipher } = makeEcb(algorithm, key, direction);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/**
 * One ECB pass over whole blocks, without padding. ECB chains nothing from one block to the next,
 * so a cipher that has taken whole blocks is in the state it was made in: update() alone gives the
 * blocks, and with padding off decryption holds no block back for final() (test/crypto/
 * block-cipher.test.ts checks both directions against a fresh cipher). Data that is not whole
 * blocks (or an unknown algorithm, or not ECB) takes a fresh cipher, to fail as before and to
 * leave no partial block in a cached one.
 */
export function ecb(algorithm: string, key: Buffer, data: Buffer, direction: Direction): Buffer {
  if (!wholeBlocks(algorithm, data)) return ecbOnce(algorithm, key, data, direction);
  const id = cacheId(direction, algorithm, key.toString('latin1'));
  return cachedCipher(id, () => makeEcb(algorithm, key, direction)).cipher.update(data);
}

/** Double-length triple DES (K1 K2 K1), ECB. */
export function tdesEncrypt(key: Buffer, data: Buffer): Buffer {
  return ecb('des-ede-ecb', key, data, 'encrypt');
}

/**
 * Single DES under an 8-byte key, as triple DES under K || K. Looked up by K's bytes twice (the
 * entry ecb() would use for K || K), so K || K is built only when the cipher is made.
 */
function des(key8: Buffer, data: Buffer, direction: Direction): Buffer {
  if (key8.length !== 8 || !wholeBlocks('des-ede-ecb', data)) {
    return ecbOnce('des-ede-ecb', Buffer.concat([key8, key8]), data, direction);
  }
  const k = key8.toString('latin1');
  const id = cacheId(direction, 'des-ede-ecb', k + k);
  return cachedCipher(id, () => makeEcb('des-ede-ecb', Buffer.concat([key8, key8]), direction)).cipher.update(data);
}

export function desEncrypt(key8: Buffer, data: Buffer): Buffer {
  return des(key8, data, 'encrypt');
}

export function desDecrypt(key8: Buffer, data: Buffer): Buffer {
  return des(key8, data, 'decrypt');
}

/** AES-128, ECB. */
export function aesEncrypt(key: Buffer, data: Buffer): Buffer {
  return ecb('aes-128-ecb', key, data, 'encrypt');
}

/**
 * Single-DES CBC under the 8-byte `key8` from a zero IV over `data` (whole 8-byte blocks, at
 * least one): the last chaining value, the CBC-MAC the retail MAC starts from. The chaining values
 * before it are wiped.
 *
 * The CBC cipher is reused too. It carries the chaining value C of its last call into the next,
 * as if C were the IV; CBC from IV C over (P1 XOR C), P2, ... gives the blocks CBC from the zero
 * IV gives over P1, P2, ..., so the first block is XORed with C. C stays beside the cipher, which
 * holds it anyway; it is what the data's MAC is computed from, not the data.
 */
export function desCbcLast(key8: Buffer, data: Buffer): Buffer {
  if (key8.length !== 8) throw new RangeError('DES CBC: key must be 8 bytes');
  if (data.length === 0 || data.length % 8 !== 0) throw new RangeError('DES CBC: data must be whole 8-byte blocks');
  const k = key8.toString('latin1');
  const entry = cachedCipher(cacheId('encrypt', 'des-ede-cbc', k + k), () => {
    const kk = Buffer.concat([key8, key8]);
    const cipher = createCipheriv('des-ede-cbc', kk, Buffer.alloc(8));
    cipher.setAutoPadding(false);
    kk.fill(0);
    return { cipher, chain: Buffer.alloc(8) };
  });
  const chain = entry.chain!;
  const input = Buffer.from(data);
  for (let i = 0; i < 8; i++) input[i]! ^= chain[i]!;
  const chained = entry.cipher.update(input);
  chained.copy(chain, 0, chained.length - 8);
  input.fill(0);
  chained.fill(0);
  return Buffer.from(chain);
}

/** a XOR b, as long as a (b shorter: its missing bytes count as zero). */
export function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) out[i] = a[i]! ^ b[i]!;
  for (let i = common; i < a.length; i++) out[i] = a[i]!;
  return out;
}
