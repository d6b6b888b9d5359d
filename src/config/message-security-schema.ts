/**
 * A listener's message security keys (docs/SECURITY.md §3, §4), part of the config file's schema
 * (schema.ts): whether MACs are checked, and how many bytes field 52 takes.
 */
export const LISTENER_MESSAGE_SECURITY = {
  mac: {
    enum: ['off', 'optional', 'required'],
    description:
      "The retail MAC (field 64, or 128 with a secondary bitmap) under the terminal key file's macKey: " +
      'off: not checked, answers carry none; optional: checked when the request carries one, and then ' +
      'the answer carries one; required: a request without a right MAC is refused (916 / 63).',
  },
  pinBlock: {
    enum: ['fixed8', 'variable16'],
    description:
      'Field 52: fixed8 is 8 bytes (ISO 9564 format 0, triple DES); variable16 makes it LL binary up to 16 ' +
      'bytes, so that a format 4 (AES, 16 bytes) block and a format 0 block (8 bytes) both fit.',
  },
} as const;
