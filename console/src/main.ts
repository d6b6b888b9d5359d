/**
 * The console: sign in with a token, then the pages its role may use, one at a time (#page in
 * the address). A page asks the admin API with the token; a page another role's token opens
 * shows the API's refusal and no data.
 */
import './style.css';
import { type Session, resume, signIn, signOut } from './api.js';
import { fill, field, h, message } from './dom.js';
import type { Page } from './page.js';
import { trafficPage } from './pages/traffic.js';
import { terminalsPage } from './pages/terminals.js';
import { plansPage } from './pages/plans.js';
import { faultsPage } from './pages/faults.js';
import { archivePage } from './pages/archive.js';
import { cardsPage } from './pages/cards.js';
import { blockDeskPage } from './pages/block-desk.js';
import { clearingPage } from './pages/clearing.js';
import { disputesPage } from './pages/disputes.js';
import { disputeCasesPage } from './pages/dispute-cases.js';

const PAGES: Page[] = [
  trafficPage,
  terminalsPage,
  plansPage,
  faultsPage,
  clearingPage,
  disputeCasesPage,
  archivePage,
  cardsPage,
  disputesPage,
  blockDeskPage,
];

const ROLE_NAMES: Record<Session['role'], string> = {
  issuer: 'issuer',
  blockService: 'block service',
  offlineTerminals: "offline terminals' fetch service",
  vendor: 'terminal vendor',
  operator: 'operator',
};

const app = document.getElementById('app')!;
let leave: (() => void) | void;
let signedIn: Session | undefined;

function signInForm(reason?: string): void {
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, autofocus: true });
  const problem = h('div');
  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: (e) => {
        e.preventDefault();
        signIn(token.value.trim()).then(
          (s) => {
            signedIn = s;
            render(s);
          },
          (err: Error) => fill(problem, message(`Not signed in: ${err.message}`)),
        );
      },
    },
    h('h1', {}, 'Switch console'),
    h('p', {}, 'Sign in with an admin API token. What you see is what its role may read.'),
    field('Token', token, 'The sandbox prints its test tokens at start (test-token-vendor, test-token-bank-a, …).'),
    h('button', { type: 'submit' }, 'Sign in'),
    problem,
  );
  if (reason) problem.append(message(reason));
  fill(app, h('main', {}, form));
  token.focus();
}

function render(session: Session): void {
  const mine = PAGES.filter((p) => p.roles.includes(session.role));
  const wanted = location.hash.slice(1);
  const page = PAGES.find((p) => p.id === wanted) ?? mine[0];
  if (typeof leave === 'function') leave();
  leave = undefined;
  const nav = h(
    'nav',
    { 'aria-label': 'pages' },
    mine.map((p) => h('a', { href: `#${p.id}`, 'aria-current': p === page ? 'page' : undefined }, p.title)),
  );
  const who = `${ROLE_NAMES[session.role]}${session.issuer ? ` (${session.issuer})` : ''}`;
  const header = h(
    'header',
    {},
    h('strong', {}, 'Switch console'),
    nav,
    h('span', { class: 'who' }, `Signed in as ${who}`),
    h(
      'button',
      {
        type: 'button',
        onclick: () => {
          signOut();
          signedIn = undefined;
          if (typeof leave === 'function') leave();
          leave = undefined;
          signInForm();
        },
      },
      'Sign out',
    ),
  );
  const root = h('main', { id: 'page' });
  fill(app, header, root);
  if (page === undefined) root.append(message(`A ${ROLE_NAMES[session.role]} token has no console pages.`, 'info'));
  else {
    document.title = `${page.title} — Switch console`;
    root.append(h('h1', {}, page.title));
    leave = page.render(root);
  }
}

window.addEventListener('hashchange', () => {
  if (signedIn) render(signedIn);
});

async function start(): Promise<void> {
  signedIn = await resume();
  if (signedIn) render(signedIn);
  else signInForm();
}

void start();
