import type { ReactNode } from 'react';
import { href } from '../router';

const sections = [
  { path: '/overview', label: 'Overview' },
  { path: '/orders', label: 'Orders' },
  { path: '/returns', label: 'Returns' },
  { path: '/inventory', label: 'Inventory' },
  { path: '/locations', label: 'Locations' },
  { path: '/products', label: 'Products' },
  { path: '/payments', label: 'Payments' },
  { path: '/disputes', label: 'Disputes' },
  { path: '/alerts', label: 'Alerts' },
  { path: '/ops', label: 'Ops' },
  { path: '/webhooks', label: 'Webhooks' },
];

export function Layout({ active, username, onSignOut, children }: { active: string; username: string; onSignOut: () => void; children: ReactNode }) {
  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={(event) => {
        // The hash is the router's; move focus instead of navigating.
        event.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={href('/overview')}>
          <span className="brand-mark" aria-hidden="true" />
          Order Service <span className="brand-sub">Admin</span>
        </a>
        <nav aria-label="Sections" className="nav">
          {sections.map((section) => (
            <a key={section.path} href={href(section.path)} aria-current={active === section.path ? 'page' : undefined}>
              {section.label}
            </a>
          ))}
        </nav>
        <div className="user">
          <span className="user-name" title="Signed in">{username}</span>
          <button type="button" className="btn btn-ghost" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
