/**
 * A remote purchase's checks as the authorize script's arguments (remote.lua's header says what
 * each is): the expiry and CVC the holder gave, who started the payment, and whether an internet
 * purchase lacking the holder's authentication is refused: per card product (config
 * register.products.<product>.internetAuthentication), else register.internetAuthentication.
 * The products' settings are made into JSON once per configuration (none on the hot path).
 */
import type { RegisterConfig } from '../config/types.js';

export interface RemoteChecks {
  /** 'holder': the holder present (expiry, CVC, authentication); 'merchant': a later payment of a stored card's series. */
  initiatedBy: 'holder' | 'merchant';
  /** Field 14 as sent (YYMM); undefined when absent. */
  expiry: string | undefined;
  /** The keyed verification value of the CVC sent (CardRegister.cvcValueOf); undefined when none was sent. */
  cvc: string | undefined;
  /** An internet purchase without the holder's authentication (none, or not authenticated). */
  unauthenticated: boolean;
}

interface AuthenticationSettings {
  authDefault: string;
  authProducts: string;
}

const made = new WeakMap<RegisterConfig, AuthenticationSettings>();

/** The configuration's part (authDefault, authProducts): the same for every request, made once. */
export function authenticationSettings(config: RegisterConfig): AuthenticationSettings {
  let settings = made.get(config);
  if (settings === undefined) {
    const own = Object.entries(config.products).flatMap(([product, p]) =>
      p.internetAuthentication === undefined ? [] : [[product, p.internetAuthentication === 'required']],
    );
    settings = {
      authDefault: config.internetAuthentication === 'required' ? '1' : '0',
      authProducts: own.length === 0 ? '' : JSON.stringify(Object.fromEntries(own)),
    };
    made.set(config, settings);
  }
  return settings;
}

/** The request's part: its remote checks ('' each for any other request). */
export function remoteChecks(remote: RemoteChecks | undefined) {
  return {
    remote: remote?.initiatedBy ?? '',
    expiry: remote?.expiry ?? '',
    cvc: remote?.cvc ?? '',
    unauthenticated: remote?.unauthenticated === true ? '1' : '',
  };
}

export function remoteArgs(remote: RemoteChecks | undefined, config: RegisterConfig) {
  return { ...remoteChecks(remote), ...authenticationSettings(config) };
}
