import type { AppStatus } from "../bindings";
import { Modal } from "../components/Modal";
import { useSession } from "./context";
import { SignInForm } from "./SignInForm";

/** Another user (say, a supervisor) signs in on this desk; signing out hands it back. */
export function SwitchUserDialog({ status, onClose }: { status: AppStatus | undefined; onClose: () => void }) {
  const { actor } = useSession();
  return (
    <Modal title="Switch user" onClose={onClose} className="modal--signin">
      <p className="small">
        Sign in on top of <strong>{actor.display_name}</strong>’s session, for one approval decision. After it, when you
        hand back, or after two minutes, the desk goes back to {actor.display_name}, still signed in. Approving a risky
        call asks for your password again.
      </p>
      <SignInForm
        switchUser
        demoAccounts={(status?.demo_accounts ?? []).filter((a) => a.username !== actor.username)}
        demoPassword={status?.demo_password ?? null}
        onSignedIn={onClose}
      />
    </Modal>
  );
}
