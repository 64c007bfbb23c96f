/**
 * Study reports: everything a sweep's database holds (config, trials, curves, the latest sparse-law
 * fit) as one self-contained HTML page and a Markdown page with SVG plots. Plots are Vega-Lite specs
 * rendered to SVG in Node; every number comes from the database.
 */
export { buildReport, parseFormats, type ReportOptions, type ReportResult, readReportData } from './build.js';
export { buildDocument } from './document.js';
export { dataFindings, lawFindings } from './findings.js';
export { renderHtml } from './html.js';
export { loadReportData } from './load.js';
export { renderMarkdown } from './markdown.js';
export { PLOTS, renderPlots } from './plots.js';
export { renderSvg } from './render.js';
export { REPORT_FORMATS, type ReportData, type ReportDocument, type ReportFormat } from './types.js';
