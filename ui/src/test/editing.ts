// A stand-in for the document in component tests: applies edits like ProjectDocument.edit
// (to a structuredClone) and hands the new project to a callback that re-renders.
import type { Project } from "../bindings";
import type { ProjectChange } from "../lib/document.svelte";

export function editor(initial: Project, onChange: (project: Project) => void) {
  let current = initial;
  return {
    get project() {
      return current;
    },
    edit(change: ProjectChange) {
      const draft = structuredClone(current);
      current = change(draft) ?? draft;
      onChange(current);
    },
  };
}
