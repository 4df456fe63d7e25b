import SwiftScanner
import Testing

@Suite struct StepLabelTests {
    @Test func todosNameTheirSteps() {
        #expect(StepLabels.todos(in: "// TODO step 3: print the name") == [[3]])
        #expect(StepLabels.todos(in: "// TODO steps 2 and 4: both") == [[2, 4]])
        #expect(StepLabels.todos(in: "// TODO steps 2, 3 and 5") == [[2, 3, 5]])
        #expect(StepLabels.todos(in: "// TODO steps 2–4") == [[2, 3, 4]])
        #expect(StepLabels.todos(in: "// TODO steps 2-4, 6") == [[2, 3, 4, 6]])
        #expect(StepLabels.todos(in: "// TODO (step 12) later") == [[12]])
        #expect(StepLabels.todos(in: "// TODO: step 1") == [[1]])
        #expect(StepLabels.todos(in: "// TODO step 2: the answer.  TODO step 3: the age.") == [[2], [3]])
        #expect(StepLabels.todos(in: "/* TODO step 4 -\n more */") == [[4]])
    }

    @Test func todosThatNameNoStep() {
        #expect(StepLabels.todos(in: "// TODO: tidy up") == [[]])
        #expect(StepLabels.todos(in: "// TODO stepping stones 3") == [[]])
        #expect(StepLabels.todos(in: "/* TODO */") == [[]])
        // Prose that mentions TODOs is not one.
        #expect(StepLabels.todos(in: "/// Fill in each TODO (Labs/01/README.md)") == [])
    }

    @Test func wordsThatAreNotTODO() {
        #expect(StepLabels.todos(in: "// TODOS step 3, myTODO step 4, TODO_step 5") == [])
        #expect(StepLabels.todos(in: "// nothing to do here") == [])
    }

    @Test func markerMessages() {
        #expect(StepLabels.steps(inMessage: "step 3 — Human.askAge()") == [3])
        #expect(StepLabels.steps(inMessage: "steps 2 and 4 — both") == [2, 4])
        // A dash with spaces is prose, not a range.
        #expect(StepLabels.steps(inMessage: "step 3 - 4 bytes") == [3])
        #expect(StepLabels.steps(inMessage: "step 3 — 4 bytes") == [3])
        #expect(StepLabels.steps(inMessage: "the whole thing") == [])
        #expect(StepLabels.steps(inMessage: "stepping 3") == [])
    }
}
