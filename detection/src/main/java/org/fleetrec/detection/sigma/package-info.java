/**
 * Sigma rules over the project's ECS documents.
 *
 * <p>Use: {@link org.fleetrec.detection.sigma.RuleSet#load} (or its builder) loads rule files;
 * every file ends up in {@link org.fleetrec.detection.sigma.RuleSet#rules()} or, with the precise
 * reason, in {@link org.fleetrec.detection.sigma.RuleSet#rejected()}.
 * {@link org.fleetrec.detection.sigma.RuleSet#evaluate} returns the rules an event satisfies;
 * {@link org.fleetrec.detection.sigma.EsQueryTranslator#translate} turns a loaded rule into an
 * Elasticsearch query over the same fields for retro-hunts.
 *
 * <p>Pipeline: {@code SigmaParser} (YAML, bounded) → {@code SigmaRule} → {@code RuleCompiler}
 * binds the logsource ({@code Scope}, {@code EventKind}) and every field ({@code FieldMapping},
 * the one mapping table) into an {@code Expr} over ECS fields → {@code Node} (matching) and
 * {@code EsQueryTranslator} (queries) both read that same {@code Expr}.
 *
 * <p>Decisions worth knowing:
 * <ul>
 *   <li>Matching is case-insensitive (Sigma's default) by folding each field value once per event;
 *       plain values and wildcards never go through regular expressions.</li>
 *   <li>Keywords (values without a field) are searched in the command line of process starts and
 *       the path of file events ({@code FieldMapping#keywords}).</li>
 *   <li>{@code re}: Java regular expressions, case-sensitive unless {@code re|i}. Back-references,
 *       look-around and nested unbounded repetition are refused at load; every search has a
 *       work budget and counts as no match when it runs out ({@code BoundedRegex}).</li>
 *   <li>An event meets only rules whose logsource covers its class (OS, kind, collector), read from
 *       host.os.type, event.dataset/action, auditd.* and event.module.</li>
 *   <li>Not supported, and reported as such: aggregations and correlations, {@code near},
 *       placeholders ({@code expand}), time-part modifiers, logsources the project does not collect,
 *       fields its documents cannot express.</li>
 * </ul>
 */
package org.fleetrec.detection.sigma;
