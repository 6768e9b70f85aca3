/**
 * Detection: Sigma rules parsed and compiled against the project's ECS documents
 * ({@code sigma}), evaluated on the live stream, alerts and their forwarding ({@code alert}).
 */
package org.fleetrec.detection;
