/**
 * Alerts: rule matches grouped into alert documents for {@code fleet-alerts-*}, and forwarded.
 *
 * <p>How the parts fit, for whoever evaluates rules on the ingest path:
 * <ol>
 *   <li>each match becomes a {@link org.fleetrec.detection.alert.RuleMatch} (rule, stored event, its
 *       {@code _index}/{@code _id}) offered to the shared {@link org.fleetrec.detection.alert.AlertGrouper};</li>
 *   <li>a new alert is written (Elasticsearch {@code update}: {@code doc} = its
 *       {@link org.fleetrec.detection.alert.Alert#progressDocument() progress}, {@code upsert} = its
 *       {@link org.fleetrec.detection.alert.Alert#document() document}, under {@link org.fleetrec.detection.alert.Alert#index()}
 *       and {@link org.fleetrec.detection.alert.Alert#id()}) and handed to the
 *       {@link org.fleetrec.detection.alert.AlertRouter};</li>
 *   <li>now and then (after each batch, or on a timer) {@link org.fleetrec.detection.alert.AlertGrouper#drainUpdates()}
 *       gives the alerts that grew, written the same way; repeats are not forwarded again.</li>
 * </ol>
 */
package org.fleetrec.detection.alert;
