// Every keyboard shortcut, in one list: the help overlay renders it, App.tsx implements it.

export type Shortcut = { keys: string[]; does: string; where: string };

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ["j", "↓"], does: "Next escalation", where: "Queue" },
  { keys: ["k", "↑"], does: "Previous escalation", where: "Queue" },
  { keys: ["Enter"], does: "Open the selected escalation", where: "Queue" },
  { keys: ["/"], does: "Search the queue", where: "Queue" },
  { keys: ["Esc"], does: "Leave the search box, close a dialog, go back to the desk", where: "Anywhere" },
  { keys: ["n"], does: "Jump to the newest unseen arrival", where: "Queue" },
  { keys: ["g", "q"], does: "Open the quarantine", where: "Anywhere" },
  { keys: ["g", "d"], does: "Back to the desk", where: "Anywhere" },
  { keys: ["i"], does: "Import a file", where: "Anywhere" },
  { keys: ["?"], does: "Show these shortcuts", where: "Anywhere" },
];
