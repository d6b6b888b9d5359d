import type { Role } from './api.js';

/** A page of the console: shown in the menu to the roles that may read what it shows. */
export interface Page {
  id: string;
  title: string;
  roles: Role[];
  /** Builds the page into `root`; returns what to do when the page is left (close a stream). */
  render(root: HTMLElement): (() => void) | void;
}
