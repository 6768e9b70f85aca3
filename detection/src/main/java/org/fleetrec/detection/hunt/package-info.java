/**
 * Rules tried by hand and run over history.
 *
 * <p>{@link org.fleetrec.detection.hunt.HuntRule} compiles one rule as live detection does (or says
 * why it will not); {@link org.fleetrec.detection.hunt.RuleTrial} tries it on documents given by hand;
 * {@link org.fleetrec.detection.hunt.RetroHunt} runs its Elasticsearch query over {@code fleet-events-*}
 * in a {@link org.fleetrec.detection.hunt.HuntRange}, re-checks every hit with the compiled rule (a
 * query that is wider than the rule costs reading, never a wrong answer) and groups the matches with
 * the {@link org.fleetrec.detection.alert.AlertGrouper}, so a hunt's results are the alerts live
 * detection would have raised, field for field. They are not written anywhere.
 */
package org.fleetrec.detection.hunt;
