// Every keyboard shortcut, in one list: the help overlay renders it, App.tsx implements it.
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
  { keys: ["Esc"], does: "Leave the search box, close a dialog, go back to the desk", where: "Anywhere" },
  { keys: ["n"], does: "Jump to the newest unseen arrival", where: "Queue" },
  { keys: ["g", "d"], does: "Back to the desk", where: "Anywhere" },
  { keys: ["g", "q"], does: "Open the quarantine", where: "Anywhere", needs: "view_quarantine" },
  { keys: ["g", "a"], does: "Open the analytics", where: "Anywhere", needs: "view_analytics" },
  { keys: ["g", "u"], does: "Open the users screen", where: "Anywhere", needs: "manage_users" },
  { keys: ["i"], does: "Import a file", where: "Anywhere", needs: "import_handoffs" },
  { keys: ["?"], does: "Show these shortcuts", where: "Anywhere" },
];

export function shortcutsFor(can: (p: Permission) => boolean): Shortcut[] {
  return SHORTCUTS.filter((s) => s.needs === undefined || can(s.needs));
}
