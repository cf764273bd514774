import { save } from "@tauri-apps/plugin-dialog";

/** The OS "save as" dialog; the chosen path, or null when the user cancels. */
export async function savePath({
  title,
  defaultPath,
  filters,
}: {
  title: string;
  defaultPath: string;
  filters: { name: string; extensions: string[] }[];
}): Promise<string | null> {
  const picked = await save({ title, defaultPath, filters });
  return picked ?? null;
}
