package dev.zerokube.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import org.junit.jupiter.api.Test;

/*
 * Goal: a transition is reported once per object and condition, however many stale reconciles see
 * it again; a new transition, a reset condition or a re-created object (new UID) is reported anew.
 */
class ReportedTransitionsTest {
    private static ConfigMap object(String uid) {
        return new ConfigMapBuilder().withNewMetadata().withName("m").withNamespace("ns").withUid(uid).endMetadata()
                .build();
    }

    @Test
    void aTransitionIsReportedOnceUntilAnotherOneHappens() {
        ReportedTransitions reported = new ReportedTransitions();
        ConfigMap m = object("u1");
        assertTrue(reported.firstReport(m, "Authorized", "Authorized"));
        assertFalse(reported.firstReport(m, "Authorized", "Authorized"), "a stale reconcile repeats it");
        assertTrue(reported.firstReport(m, "Ready", "PoolExhausted"), "conditions are independent");
        assertTrue(reported.firstReport(m, "Authorized", "Revoked"));
        assertTrue(reported.firstReport(m, "Authorized", "Authorized"), "authorized again is a new transition");
    }

    @Test
    void resetAndForgetMakeTheNextReportNew() {
        ReportedTransitions reported = new ReportedTransitions();
        ConfigMap m = object("u1");
        reported.firstReport(m, "Ready", "PoolExhausted");
        reported.reset(m, "Ready");
        assertTrue(reported.firstReport(m, "Ready", "PoolExhausted"), "the pool ran out a second time");
        reported.forget(m);
        assertEquals(0, reported.size());
        assertTrue(reported.firstReport(m, "Ready", "PoolExhausted"));
        assertTrue(reported.firstReport(object("u2"), "Ready", "PoolExhausted"), "same name, new object");
    }
}
