import { open } from "@tauri-apps/plugin-dialog";

/** The OS file-open dialog, limited to JSON Lines / JSON; null when the user cancels. */
export async function pickHandoffFile(): Promise<string | null> {
  const picked = await open({
    title: "Import escalations",
    multiple: false,
    directory: false,
    filters: [
      { name: "Handoff documents (*.jsonl, *.json)", extensions: ["jsonl", "json"] },
      { name: "All files", extensions: ["*"] },
    ],
  });
  if (picked === null) return null;
  return Array.isArray(picked) ? (picked[0] ?? null) : picked;
}
