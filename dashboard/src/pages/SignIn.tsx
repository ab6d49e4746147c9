import { useEffect, useRef, useState, type ReactNode } from 'react';
import { AuthError, completeMfa, completeNewPassword, signIn, type SignInResult } from '../auth';
import { Field, Notice } from '../components/ui';
import { useTitle } from '../hooks';
import type { RuntimeConfig } from '../types';

type Step =
  | { kind: 'credentials' }
  | { kind: 'not-admin'; username: string }
  | { kind: 'new-password'; username: string; challengeSession: string }
  | { kind: 'mfa'; username: string; challengeSession: string };

/**
 * Rendered in place of whatever page the URL names, so after signing in the admin is back on that page.
 */
export function SignIn({ config, notice }: { config: RuntimeConfig; notice: string | null }) {
  useTitle('Sign in');
  const [step, setStep] = useState<Step>({ kind: 'credentials' });
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => headingRef.current?.focus(), [step.kind]);

  const handle = (result: SignInResult) => {
    if (result.kind === 'not-admin') setStep({ kind: 'not-admin', username: result.username });
    else if (result.kind === 'new-password-required') setStep({ kind: 'new-password', username: result.username, challengeSession: result.challengeSession });
    else if (result.kind === 'mfa-code-required') {
      setCode('');
      setStep({ kind: 'mfa', username: result.username, challengeSession: result.challengeSession });
    }
    // signed-in: the auth store changes and the app renders the page.
  };

  const run = async (action: () => Promise<SignInResult>) => {
    setBusy(true);
    setError(undefined);
    try {
      handle(await action());
    } catch (err) {
      setError(err instanceof AuthError ? err.message : 'Sign-in failed. Try again.');
    } finally {
      setBusy(false);
    }
  };

  if (step.kind === 'not-admin') {
    return (
      <div className="signin">
        <div className="signin-card">
          <h1 ref={headingRef} tabIndex={-1}>Administrators only</h1>
          <p className="problem" role="alert">
            This dashboard is for administrators. <strong>{step.username}</strong> is signed in correctly but is not in the
            <code> admin</code> group, so it cannot open it. Ask an administrator for access, or sign in with an admin account.
          </p>
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              setPassword('');
              setStep({ kind: 'credentials' });
            }}
          >
            Sign in with another account
          </button>
        </div>
      </div>
    );
  }

  if (step.kind === 'new-password') {
    return (
      <SignInForm
        onSubmit={() => void run(() => completeNewPassword(config, step.username, newPassword, step.challengeSession))}
        error={error}
        busy={busy}
        submitLabel="Set password and sign in"
        busyLabel="Saving…"
      >
        <h1 ref={headingRef} tabIndex={-1}>Choose a new password</h1>
        <p>This is the first sign-in for {step.username}; set your own password to continue.</p>
        <Field label="New password">
          {(props) => (
            <input {...props} type="password" autoComplete="new-password" required value={newPassword} onChange={(e) => setNewPassword(e.target.value)} />
          )}
        </Field>
      </SignInForm>
    );
  }

  if (step.kind === 'mfa') {
    return (
      <SignInForm
        onSubmit={() => void run(() => completeMfa(config, step.username, code.replace(/\s+/g, ''), step.challengeSession))}
        error={error}
        busy={busy}
        submitLabel="Verify and sign in"
        busyLabel="Verifying…"
      >
        <h1 ref={headingRef} tabIndex={-1}>Enter your authenticator code</h1>
        <p>Open the authenticator app set up for {step.username} and enter its current 6-digit code.</p>
        <Field label="Authentication code">
          {(props) => (
            <input {...props} type="text" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]{6,7}" maxLength={7} required value={code} onChange={(e) => setCode(e.target.value)} />
          )}
        </Field>
      </SignInForm>
    );
  }

  return (
    <SignInForm onSubmit={() => void run(() => signIn(config, username.trim(), password))} error={error} busy={busy} submitLabel="Sign in" busyLabel="Signing in…">
      <div className="signin-brand">
        <span className="brand-mark" aria-hidden="true" /> Order Service
      </div>
      <h1 ref={headingRef} tabIndex={-1}>Sign in to the admin dashboard</h1>
      <Notice tone="info">{notice}</Notice>
      <Field label="Email">
        {(props) => (
          <input {...props} type="text" inputMode="email" autoCapitalize="none" spellCheck={false} autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        )}
      </Field>
      <Field label="Password">
        {(props) => <input {...props} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />}
      </Field>
    </SignInForm>
  );
}

/** The sign-in card as a form: the step's fields, then its error (announced) and its submit button. */
function SignInForm({
  onSubmit,
  error,
  busy,
  submitLabel,
  busyLabel,
  children,
}: {
  onSubmit: () => void;
  error: string | undefined;
  busy: boolean;
  submitLabel: string;
  busyLabel: string;
  children: ReactNode;
}) {
  return (
    <div className="signin">
      <form
        className="signin-card"
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit();
        }}
      >
        {children}
        {error && (
          <p className="problem" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? busyLabel : submitLabel}
        </button>
      </form>
    </div>
  );
}
