// The views built elsewhere, in one place: the shell imports them from here. Until they are
// merged these point at placeholders with the same props; the lead points them at
// ../chart/DependencyChart.svelte, ./EnvironmentsView.svelte and ./SyncView.svelte.
export { default as DependencyChart } from "./_placeholders/DependencyChart.svelte";
export { default as EnvironmentsView } from "./_placeholders/EnvironmentsView.svelte";
export { default as SyncView } from "./_placeholders/SyncView.svelte";
