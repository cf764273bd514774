import type { HandoffDetail } from "../../bindings";
import { toIpcError } from "../../ipc";
import { initials } from "../../labels";
import { useSession } from "../../session/context";

export type ClaimState = {
  onClaim: () => void;
  onRelease: () => void;
  pending: boolean;
  /** The last claim or release of this escalation failed (e.g. someone else claimed it). */
  error: unknown;
};

/** Who has claimed the open escalation, and the claim / release buttons this user may use. */
export function ClaimControl({ detail, claim }: { detail: HandoffDetail; claim: ClaimState }) {
  const { actor, can } = useSession();
  const holder = detail.claimed_by;
  const mine = detail.claimed_by_id !== null && detail.claimed_by_id === actor.user_id;
  const mayClaim = can("claim_handoff");
  const mayReassign = can("reassign_handoff");
  const error = claim.error ? toIpcError(claim.error) : null;
  return (
    <div className="claim">
      {holder !== null ? (
        <span className="claim__holder" title={`Claimed by ${holder}`}>
          <span className={`avatar${mine ? " avatar--me" : ""}`} aria-hidden="true">
            {initials(holder)}
          </span>
          <span className="claim__text">
            Claimed by <strong data-testid="claimed-by">{holder}</strong>
            {mine && <span className="muted"> (you)</span>}
          </span>
        </span>
      ) : (
        <span className="claim__holder claim__holder--none">
          <span className="avatar avatar--empty" aria-hidden="true" />
          <span className="muted">Unclaimed</span>
        </span>
      )}
      {mayClaim && holder === null && (
        <button type="button" className="button button--small button--primary" data-testid="claim-button" disabled={claim.pending} onClick={claim.onClaim}>
          Claim <kbd className="kbd--on-primary">c</kbd>
        </button>
      )}
      {mayClaim && holder !== null && !mine && mayReassign && (
        <button type="button" className="button button--small" data-testid="claim-button" disabled={claim.pending} onClick={claim.onClaim} title={`Take over from ${holder}`}>
          Take over
        </button>
      )}
      {mayClaim && holder !== null && (mine || mayReassign) && (
        <button type="button" className="button button--small button--quiet" data-testid="release-button" disabled={claim.pending} onClick={claim.onRelease}>
          Release
        </button>
      )}
      {error && (
        <p className="claim__error" role="alert" data-testid="claim-error">
          <span aria-hidden="true">⚠ </span>
          {error.message}
        </p>
      )}
    </div>
  );
}
