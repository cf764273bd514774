import type { AppStatus } from "../bindings";
import { SignInForm } from "./SignInForm";

/** The whole window while nobody is signed in. */
export function SignInScreen({ status }: { status: AppStatus | undefined }) {
  return (
    <div className="gate">
      <main className="gate__card" aria-labelledby="signin-title">
        <h1 className="gate__app">Handoff Desk</h1>
        <h2 id="signin-title" className="gate__title">
          Sign in
        </h2>
        <SignInForm switchUser={false} demoAccounts={status?.demo_accounts ?? []} demoPassword={status?.demo_password ?? null} />
      </main>
      <GateFoot status={status} />
    </div>
  );
}

/** Under the sign-in and first-admin cards: the version and which database this desk opened. */
export function GateFoot({ status }: { status: AppStatus | undefined }) {
  if (!status) return null;
  return (
    <p className="gate__foot muted small">
      v{status.version} · <span className="mono">{status.database_path}</span>
    </p>
  );
}
