// Every keyboard shortcut, in one list: the help overlay renders it, App.tsx implements it (the
// offer card its own two, while it shows).
import type { Permission } from "./bindings";

/** `needs`: shown (and working) only for users whose session grants that permission. */
export type Shortcut = { keys: string[]; does: string; where: string; needs?: Permission };

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ["j", "↓"], does: "Next escalation", where: "Queue" },
  { keys: ["k", "↑"], does: "Previous escalation", where: "Queue" },
  { keys: ["Enter"], does: "Open the selected escalation", where: "Queue" },
  { keys: ["/"], does: "Search the queue", where: "Queue" },
  { keys: ["c"], does: "Claim the open escalation", where: "Desk", needs: "claim_handoff" },
  { keys: ["u"], does: "Open the next handoff you have not rated", where: "Desk", needs: "rate_handoffs" },
  { keys: ["p"], does: "Propose an action on the open escalation", where: "Desk", needs: "propose_tool_calls" },
  { keys: ["Esc"], does: "Leave the search box, close a dialog, go back to the desk", where: "Anywhere" },
  { keys: ["n"], does: "Jump to the newest unseen arrival", where: "Queue" },
  { keys: ["g", "d"], does: "Back to the desk", where: "Anywhere" },
  { keys: ["g", "q"], does: "Open the quarantine", where: "Anywhere", needs: "view_quarantine" },
  { keys: ["g", "p"], does: "Open the approvals inbox", where: "Anywhere", needs: "approve_tool_calls" },
  { keys: ["j", "k"], does: "Next / previous request", where: "Approvals", needs: "approve_tool_calls" },
  { keys: ["g", "t"], does: "Open the team board (who is available, who holds what)", where: "Anywhere", needs: "reassign_handoff" },
  { keys: ["g", "a"], does: "Open the analytics", where: "Anywhere", needs: "view_analytics" },
  { keys: ["g", "l"], does: "Open the audit log", where: "Anywhere", needs: "view_audit" },
  { keys: ["g", "u"], does: "Open the users screen", where: "Anywhere", needs: "manage_users" },
  { keys: ["g", "s"], does: "Open the settings (draft engine, knowledge base)", where: "Anywhere", needs: "view_queue" },
  { keys: ["a"], does: "Approve the draft and send it", where: "Draft", needs: "reply_to_customers" },
  { keys: ["e"], does: "Edit the draft (on a note: write your own reply)", where: "Draft", needs: "reply_to_customers" },
  { keys: ["r"], does: "Reject the draft with a reason", where: "Draft", needs: "reply_to_customers" },
  { keys: ["Ctrl", "Enter"], does: "Send the edited reply / submit the rejection", where: "Draft", needs: "reply_to_customers" },
  { keys: ["y"], does: "Accept the escalation offered to you (opens it)", where: "Offer", needs: "claim_handoff" },
  { keys: ["x"], does: "Decline the escalation offered to you", where: "Offer", needs: "claim_handoff" },
  { keys: ["i"], does: "Import a file", where: "Anywhere", needs: "import_handoffs" },
  { keys: ["?"], does: "Show these shortcuts", where: "Anywhere" },
];

export function shortcutsFor(can: (p: Permission) => boolean): Shortcut[] {
  return SHORTCUTS.filter((s) => s.needs === undefined || can(s.needs));
}

/** Where a key press belongs to a field rather than to the app's shortcuts. */
export function fieldKind(t: EventTarget | null): "text" | "select" | null {
  if (!(t instanceof HTMLElement)) return null;
  if (t.isContentEditable || t.tagName === "TEXTAREA") return "text";
  if (t.tagName === "SELECT") return "select";
  if (t.tagName === "INPUT") {
    const type = (t as HTMLInputElement).type;
    return ["checkbox", "radio", "button", "submit", "reset"].includes(type) ? null : "text";
  }
  return null;
}
