import LabCheckKit

// The grader's held-back checks. The public checks use the handouts' values, and a student who hard-codes them
// passes; these run the same checks with values drawn from the grading run's seed (recorded in the results, so a
// run can be replayed with SEED=s): other names and ages, other payloads, other users and messages.
//
// `make student-kit` leaves this folder out of the student copy, and Package.swift declares the module only where
// the folder is: the autograder (`make autograder`) and a Classroom run of the instructor's copy have it.

/// Each lab's held-back variants, by lab number: a variant numbered k re-checks step k's work.
public let heldBackSteps: [Int: [Step]] = [
    1: lab1HeldBack,
    2: lab2HeldBack,
    3: lab3HeldBack,
    4: lab4HeldBack,
    5: lab5HeldBack,
    6: lab6HeldBack,
]
