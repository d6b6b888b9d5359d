/**
 * Issuer script commands (EMV 4.4 Book 3 §6.5; the template they travel in: Book 3 Annex A1 tags
 * 71, 72, 86, 9F18): what an issuer may queue for a card's chip, as the card module keeps them:
 * each command's header (CLA INS P1 P2) and data, without Lc and MAC, which are added when the
 * script is sent (src/authorization/issuer-script-answer.ts: the MAC needs the ARQC and ATC of the
 * transaction the script answers).
 */

/** A command kept: header 4 bytes and data, uppercase hex. */
export interface ScriptCommand {
  /** pinUnblock, applicationBlock, applicationUnblock, putData or apdu. */
  name: string;
  header: string;
  data: string;
}

/** What an issuer asks for (POST /cards/{id}/scripts, docs/ADMIN-API.md). */
export type CommandRequest =
  | { command: 'pinUnblock' | 'applicationBlock' | 'applicationUnblock' }
  | { command: 'putData'; tag: string; value: string }
  | { command: 'apdu'; apdu: string };

/** The MAC's length in each command (Book 2 §9.2.1 allows 4 to 8 bytes): the whole 8-byte MAC. */
export const SCRIPT_MAC_BYTES = 8;
/** The most command data one command may carry (bytes, before the MAC). */
export const MAX_COMMAND_DATA = 64;
/** The most a chip answer carries of scripts (templates 71 and 72 together, bytes): the total the schemes require terminals to accept. */
export const MAX_SCRIPT_BYTES = 128;

/**
 * The named commands: secure messaging class 84 (Book 3 §6.5: CLA '84' with the MAC), INS from
 * Book 3 §6.5.1 APPLICATION BLOCK ('1E'), §6.5.2 APPLICATION UNBLOCK ('18'), §6.5.10 PIN
 * CHANGE/UNBLOCK ('24', P2 '00': unblock without a new PIN). PUT DATA (CLA '04', INS 'DA', P1 P2
 * the tag) is the issuers' common way to set a data object (Common Payment Application spec).
 */
export function scriptCommand(req: CommandRequest): ScriptCommand {
  switch (req.command) {
    case 'pinUnblock':
      return { name: req.command, header: '84240000', data: '' };
    case 'applicationBlock':
      return { name: req.command, header: '841E0000', data: '' };
    case 'applicationUnblock':
      return { name: req.command, header: '84180000', data: '' };
    case 'putData':
      return {
        name: req.command,
        header: `04DA${req.tag.toUpperCase().padStart(4, '0')}`,
        data: req.value.toUpperCase(),
      };
    case 'apdu':
      return { name: req.command, header: req.apdu.slice(0, 8).toUpperCase(), data: req.apdu.slice(8).toUpperCase() };
  }
}

/** Template 71 (before the final GENERATE AC) for an application block, so the card declines; 72 (after it) else. */
export function defaultTemplate(commands: readonly ScriptCommand[]): '71' | '72' {
  return commands.some((c) => c.name === 'applicationBlock') ? '71' : '72';
}

/** The bytes of the template in field 55: its tag and length, 9F18 with the id, each 86 command with Lc and MAC. */
export function templateSize(commands: readonly ScriptCommand[]): number {
  const each = commands.map((c) => 2 + 4 + 1 + c.data.length / 2 + SCRIPT_MAC_BYTES);
  return 2 + 7 + each.reduce((a, b) => a + b, 0);
}

/** The PIN unblock script queued when an issuer lifts a PIN block. */
export function pinUnblockScript(): { template: '72'; commands: string; size: number } {
  const commands = [scriptCommand({ command: 'pinUnblock' })];
  return { template: '72', commands: JSON.stringify(commands), size: templateSize(commands) };
}
