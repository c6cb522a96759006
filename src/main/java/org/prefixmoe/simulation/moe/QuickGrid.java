package org.prefixmoe.simulation.moe;

import java.util.List;

/** A family scenario with fewer replicates ({@link FamilyStudy#quick()}); everything else delegated. */
record QuickGrid(FamilyStudy full, int replicates) implements FamilyStudy {
    @Override
    public String name() {
        return full.name();
    }

    @Override
    public String fingerprint() {
        return full.fingerprint();
    }

    @Override
    public List<MoeScenario.Study> studies() {
        return full.studies();
    }

    @Override
    public List<Integer> sizes() {
        return full.sizes();
    }

    @Override
    public List<String> lossTerms() {
        return full.lossTerms();
    }

    @Override
    public MoeSummary.Header header() {
        return full.header();
    }

    @Override
    public MoeRow runTask(MoeRunner.Task task) {
        return full.runTask(task);
    }
}
