/**
 * Detection: Sigma rules parsed and compiled against the project's ECS documents
 * ({@code sigma}), evaluated on the live stream, alerts and their forwarding ({@code alert}),
 * rules tried by hand and hunted over stored history ({@code hunt}).
 */
package org.fleetrec.detection;
