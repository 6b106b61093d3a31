// The views the shell mounts, in one place.
export { default as DependencyChart } from "../chart/DependencyChart.svelte";
export { default as EnvironmentsView } from "./EnvironmentsView.svelte";
export { default as SyncView } from "./SyncView.svelte";
